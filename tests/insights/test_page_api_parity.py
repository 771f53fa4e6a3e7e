"""Insights actions (link similar appeals, confirm a common issue, answer it jointly): the page and the API take
the same schema and call the same action, so they accept and refuse the same inputs and people with the same
words (the method of tests/appeals/test_page_api_parity.py)."""

import json
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from qinqing.core import inputs as core_inputs
from qinqing.core.errors import InvalidInput
from qinqing.core.pages import error_text
from qinqing.insights import inputs, services

pytestmark = pytest.mark.django_db


def _pair(w):
    return w.assigned(), w.assigned(title="招工难，旺季缺操作工", content="旺季缺一线操作工约40人。")


def _issue(w):
    a, b = _pair(w)
    return services.confirm_common_issue(by=w.dispatcher, appeals=[a, b], title="旺季招工难", lead=w.hr)


# name -> (builder, persona, page url, api url, schema, accepted inputs, refused inputs); inputs may name
# "@other" (the number of the builder's second appeal) and "@all" (both numbers).
CASES = {
    "link": (
        _pair,
        "dispatcher",
        lambda o: f"/insights/link/{o[0].number}/",
        lambda o: f"/api/insights/appeals/{o[0].number}/links",
        inputs.LinkIn,
        [{"related": "@other"}],
        [{"related": ""}, {}, {"related": "X" * 41}],
    ),
    "confirm": (
        _pair,
        "dispatcher",
        lambda o: "/insights/common/confirm/",
        lambda o: "/api/insights/common-issues",
        inputs.CommonIssueIn,
        [{"title": "旺季招工难", "lead": "hr", "appeals": "@all"}],
        [
            {"title": "", "lead": "hr", "appeals": "@all"},
            {"title": "旺季招工难", "appeals": "@all"},
            {"title": "旺季招工难", "lead": 999999, "appeals": "@all"},
            {"title": "T" * 101, "lead": "hr", "appeals": "@all"},
        ],
    ),
    "answer": (
        _issue,
        "handler_hr",
        lambda o: f"/insights/common/{o.pk}/",
        lambda o: f"/api/insights/common-issues/{o.pk}/answer",
        inputs.IssueAnswerIn,
        [{"measures": "组织专场招聘会", "result": "两家企业均已招到人"}],
        [{"measures": "", "result": "已解决"}, {"result": "已解决"}],
    ),
}

REFUSED = {
    "link": ("ent_user_b", {"related": "@other"}),
    "confirm": ("handler_hr", {"title": "旺季招工难", "lead": "hr", "appeals": "@all"}),
    "answer": ("handler_land", {"measures": "不是我们", "result": "无"}),
}


def _resolve(w, obj, data):
    out = {}
    for key, value in data.items():
        if value == "@other":
            value = obj[1].number
        elif value == "@all":
            value = [obj[0].number, obj[1].number]
        elif key == "lead" and isinstance(value, str):
            value = getattr(w, value).pk
        out[key] = value
    return out


def _via_page(w, user, obj, case, data):
    client = Client()
    client.force_login(user)
    r = client.post(case[2](obj), data)
    if r.status_code == 404:
        return ("refused", 404, None)
    assert r.status_code == 302, r.status_code
    notes = [(m.level_tag, str(m)) for m in get_messages(r.wsgi_request)]
    if any(level == "success" for level, _ in notes):
        return ("accepted", None, None)
    [(level, text)] = notes
    return ("refused", None, text)


def _via_api(w, user, obj, case, data):
    r = Client().post(
        case[3](obj),
        json.dumps(data),
        content_type="application/json",
        headers={"Authorization": f"Bearer {w.token(user)}"},
    )
    if r.status_code < 300:
        return ("accepted", None, None)
    if r.status_code == 404:
        return ("refused", 404, None)
    refusal = InvalidInput(r.json()["message"], r.json()["errors"])
    if r.status_code == 422:
        refusal.labels = core_inputs.labels(case[4])
    return ("refused", None, error_text(refusal))


def _both(w, case, persona, data):
    out = []
    for door in (_via_page, _via_api):
        obj = case[0](w)
        verdict, status, text = door(w, getattr(w, persona), obj, case, _resolve(w, obj, data))
        out.append((verdict, status, re.sub(r"QQ\d+", "QQ…", text) if text else text))
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_page_and_api_agree(world, name):
    case = CASES[name]
    for data in case[5]:
        page, api = _both(world, case, case[1], data)
        assert page == api == ("accepted", None, None), (name, data, page, api)
    for data in case[6]:
        page, api = _both(world, case, case[1], data)
        assert page[0] == "refused" and page == api, (name, data, page, api)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_page_and_api_refuse_the_same_people(world, name):
    persona, data = REFUSED[name]
    page, api = _both(world, CASES[name], persona, data)
    assert page[0] == "refused" and page == api, (name, page, api)
