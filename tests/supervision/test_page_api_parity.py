"""督办 and rating contests: the page and the API take the same schema and call the same action, so they accept
and refuse the same inputs with the same words (see tests/appeals/test_page_api_parity.py for the method)."""

import datetime as dt
import json
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from qinqing.core import inputs as core_inputs
from qinqing.core.errors import InvalidInput
from qinqing.core.pages import error_text
from qinqing.supervision import inputs, services, workflow
from qinqing.supervision.models import RatingContest, SupervisionOrder

pytestmark = pytest.mark.django_db


def _order(w):
    appeal = w.in_progress()
    return services.issue_order(
        by=w.dispatcher, department=w.hr, appeals=[appeal], content="请加快", respond_by=w.today
    )


def _rated(w):
    return w.closed(satisfaction="dissatisfied")


def _contested(w):
    appeal = w.closed(satisfaction="dissatisfied")
    services.contest_rating(appeal=appeal, by=w.handler_hr, reason="企业误评")
    return appeal


# name -> (builder, persona, page url, api url, schema, accepted inputs, refused inputs)
CASES = {
    "issue": (
        lambda w: w.in_progress(),
        "dispatcher",
        lambda o: f"/supervision/issue/{o.number}/",
        lambda o: "/api/supervision/orders",
        inputs.OrderIn,
        [{"department": "hr", "content": "请于三日内回复", "respond_by": "2026-11-20"}],
        [
            {"department": "hr", "content": "", "respond_by": "2026-11-20"},
            {"department": "hr", "content": "请回复", "respond_by": "2026-11-01"},
            {"department": "hr", "content": "请回复", "respond_by": "明天"},
            {"department": "power", "content": "请回复", "respond_by": "2026-11-20"},
            {"department": 999999, "content": "请回复", "respond_by": "2026-11-20"},
            {"content": "请回复", "respond_by": "2026-11-20"},
        ],
    ),
    "answer": (
        _order,
        "handler_hr",
        lambda o: f"/supervision/orders/{o.pk}/",
        lambda o: f"/api/supervision/orders/{o.pk}/answer",
        inputs.AnswerIn,
        [{"answer": "已组织专场招聘"}],
        [{"answer": ""}, {}],
    ),
    "contest": (
        _rated,
        "handler_hr",
        lambda o: f"/supervision/contest/{o.number}/",
        lambda o: f"/api/supervision/appeals/{o.number}/contest",
        inputs.ContestIn,
        [{"reason": "企业误评"}],
        [{"reason": ""}, {}],
    ),
    "decide": (
        _contested,
        "dispatcher",
        lambda o: f"/supervision/contest/{o.number}/decision/",
        lambda o: f"/api/supervision/appeals/{o.number}/contest/decision",
        inputs.DecideIn,
        [{"uphold": True, "note": "核实属误评"}, {"uphold": False, "note": "评价属实"}],
        [{"uphold": True, "note": ""}, {"note": "缺结果"}, {"uphold": "maybe", "note": "n"}],
    ),
}

REFUSED = {
    "issue": ("handler_hr", {"department": "hr", "content": "请回复", "respond_by": "2026-11-20"}),
    "answer": ("handler_land", {"answer": "不是我们"}),
    "contest": ("handler_land", {"reason": "r"}),
    "decide": ("dispatcher_west", {"uphold": True, "note": "n"}),
}


@pytest.fixture
def w(world, clock):
    world.today = dt.date(2026, 11, 18)  # two days after the frozen clock
    return world


def _resolve(w, data):
    out = dict(data)
    if isinstance(out.get("department"), str):
        out["department"] = getattr(w, out["department"]).pk
    return out


def _form(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _state(obj):
    if isinstance(obj, SupervisionOrder):
        obj.refresh_from_db()
        return obj.state
    return (
        SupervisionOrder.objects.filter(appeals=obj).count(),
        RatingContest.objects.filter(appeal=obj).values_list("state", flat=True).first(),
    )


def _via_page(w, user, obj, case, data):
    _, _, page_url, _, _, _, _ = case
    client = Client()
    client.force_login(user)
    before = _state(obj)
    r = client.post(page_url(obj), {k: _form(v) for k, v in data.items()})
    if r.status_code == 404:
        return ("refused", 404, None)
    assert r.status_code == 302
    notes = [(m.level_tag, str(m)) for m in get_messages(r.wsgi_request)]
    if any(level == "success" for level, _ in notes):
        assert _state(obj) != before
        return ("accepted", None, None)
    assert _state(obj) == before
    [(level, text)] = notes
    return ("refused", None, text)


def _via_api(w, user, obj, case, data):
    _, _, _, api_url, schema, _, _ = case
    body = dict(data)
    if api_url(obj) == "/api/supervision/orders":
        body["appeals"] = [obj.number]
    r = Client().post(
        api_url(obj),
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {w.token(user)}"},
    )
    if r.status_code < 300:
        return ("accepted", None, None)
    if r.status_code == 404:
        return ("refused", 404, None)
    refusal = InvalidInput(r.json()["message"], r.json()["errors"])
    if r.status_code == 422:
        refusal.labels = core_inputs.labels(schema)
    return ("refused", None, error_text(refusal))


def _both(w, case, persona, data):
    out = []
    for door in (_via_page, _via_api):
        obj = case[0](w)
        verdict, status, text = door(w, getattr(w, persona), obj, case, _resolve(w, data))
        # Each door acts on its own appeal: compare the words, not the numbers.
        out.append((verdict, status, re.sub(r"QQ\d+", "QQ…", text) if text else text))
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_page_and_api_agree(w, name):
    case = CASES[name]
    for data in case[5]:
        page, api = _both(w, case, case[1], data)
        assert page == api == ("accepted", None, None), (name, data, page, api)
    for data in case[6]:
        page, api = _both(w, case, case[1], data)
        assert page[0] == "refused" and page == api, (name, data, page, api)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_page_and_api_refuse_the_same_people(w, name):
    persona, data = REFUSED[name]
    page, api = _both(w, CASES[name], persona, data)
    assert page[0] == "refused" and page == api, (name, page, api)


def test_tables_offer_what_the_services_allow(w):
    appeal = _contested(w)
    contest = RatingContest.objects.get(appeal=appeal)
    assert [a.name for a in workflow.CONTESTS.available(contest, w.dispatcher)] == ["uphold", "reject"]
    assert workflow.CONTESTS.available(contest, w.dispatcher_west) == []
    assert workflow.CONTESTS.available(contest, w.handler_hr) == []
    order = _order(w)
    assert [a.name for a in workflow.ORDERS.available(order, w.handler_hr)] == ["answer"]
    assert [a.name for a in workflow.ORDERS.available(order, w.head_hr)] == ["answer"]
    assert workflow.ORDERS.available(order, w.handler_land) == []
    assert workflow.ORDERS.available(order, w.dispatcher) == []
