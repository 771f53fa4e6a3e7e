"""The page and the API are two doors onto one fieldwork action layer: for every action they accept and refuse the
same inputs, with the same messages (the shape of ``tests/appeals/test_page_api_parity.py``).

Each case runs twice on a fresh world: once as the form a browser posts to the page, once as JSON to the API.
Accepted on one side means accepted on the other; refused means refused with the same text (the page shows the
API's message and field errors on one line, naming the fields in Chinese where the schema does), or a 404 on
both sides for what the user may not see.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client

from qinqing.core import inputs as core_inputs
from qinqing.core.errors import InvalidInput
from qinqing.core.pages import error_text
from qinqing.fieldwork import common, services
from qinqing.fieldwork.meetings import inputs as meeting_inputs
from qinqing.fieldwork.models import SPOT_CHECK_ITEMS
from qinqing.fieldwork.officers import inputs as officer_inputs
from qinqing.fieldwork.points import inputs as point_inputs
from qinqing.fieldwork.supervisors import inputs as supervisor_inputs
from qinqing.fieldwork.taskforces import inputs as task_force_inputs
from tests.conftest import at

pytestmark = pytest.mark.django_db

DAY = "2026-11-16"
FUTURE = "2026-12-31"


@dataclass
class Case:
    setup: Callable  # (world, field) -> object the action is about (or None)
    persona: str  # attribute of world or field
    page: Callable  # (obj) -> page URL
    api: Callable  # (obj) -> API path
    schema: Any  # the action's input schema (its titles name fields on the page)
    good: list
    bad: list
    refused: tuple  # (persona, data)
    form: Callable = lambda data, obj: data  # the JSON input as the page's form
    extra: dict | None = None  # fields only the page's form carries (which action of the page)


# ---------------------------------------------------------------- states


def _nothing(w, f):
    return None


def _meeting(w, f):
    return services.schedule_meeting(
        by=w.dispatcher_east,
        kind="face_to_face",
        theme="政企面对面",
        starts_at=at(2026, 11, 20, 9),
        enterprises=[w.ent_a],
    )


def _served(w, f):
    f.serve(w.ent_a)
    return w.ent_a


def _enterprise(w, f):
    return w.ent_a


def _appointed(w, f):
    return f.appoint()


def _clue(w, f):
    f.appoint()
    return services.submit_clue(
        by=f.sup_user, title="窗口要求重复提交材料", content="暗示找中介", department=w.hr
    )


def _point(w, f):
    return services.designate_contact_point(
        by=w.dispatcher, enterprise=w.ent_a, kind="congress", responsible="张代表"
    )


def _task_force(w, f):
    return services.create_task_force(
        by=w.dispatcher,
        name="二期项目专班",
        matter="用地规划施工许可协同",
        members=[
            {"department": w.land, "person": "钱经办", "is_lead": True},
            {"department": w.hr, "person": "王科长"},
        ],
    )


# ---------------------------------------------------------------- page forms for nested inputs


def _visit_form(data, obj):
    out = {k: v for k, v in data.items() if k != "issues"}
    for i, issue in enumerate(data.get("issues", []), start=1):
        for key, name in (("content", "content"), ("title", "title"), ("category_id", "category")):
            if key in issue:
                out[f"issue{i}_{name}"] = issue[key]
    return out


def _spot_form(data, obj):
    out = {k: v for k, v in data.items() if k != "items"}
    out.update(data.get("items", {}))
    return out


def _task_force_form(data, obj):
    members = data.get("members", [])
    return {
        "name": data.get("name", ""),
        "matter": data.get("matter", ""),
        "member_department": [m["department_id"] for m in members],
        "member_person": [m["person"] for m in members],
        "lead": next((m["department_id"] for m in members if m.get("is_lead")), ""),
        "appeals": ",".join(data.get("appeal_numbers", [])),
    }


SCORES = {k: 15 for k, _ in SPOT_CHECK_ITEMS}
APPEAL = {"enterprise_id": "ent_a", "category_id": "labour", "title": "融资需求", "content": "设备贷款500万"}
MEMBERS = [
    {"department_id": "land", "person": "钱经办", "is_lead": True},
    {"department_id": "hr", "person": "王科长"},
]

CASES = {
    "create_series": Case(
        _nothing,
        "dispatcher",
        lambda o: "/fieldwork/meetings/",
        lambda o: "/api/fieldwork/series",
        meeting_inputs.SeriesIn,
        [{"name": "政企交流主题日", "weekday": 0}],
        [{"name": "", "weekday": 0}, {"name": "主题日", "weekday": 9}, {"name": "主题日", "weekday": "周一"}],
        ("handler_hr", {"name": "部门自建"}),
        extra={"action": "series"},
    ),
    "schedule_meeting": Case(
        _nothing,
        "dispatcher_east",
        lambda o: "/fieldwork/meetings/",
        lambda o: "/api/fieldwork/meetings",
        meeting_inputs.MeetingIn,
        [
            {"theme": "政企面对面", "starts_at": "2026-11-20T09:00", "kind": "face_to_face"},
            {"theme": "座谈", "starts_at": "2026-11-20T09:00", "kind": "forum", "enterprise_ids": ["ent_a"]},
        ],
        [
            {"theme": "", "starts_at": "2026-11-20T09:00", "kind": "forum"},
            {"theme": "座谈", "starts_at": "下周一", "kind": "forum"},
            {"theme": "座谈", "starts_at": "2026-11-20T09:00"},
            {"theme": "座谈", "starts_at": "2026-11-20T09:00", "kind": "forum", "enterprise_ids": ["ent_b"]},
            {"theme": "座谈", "starts_at": "2026-11-20T09:00", "kind": "forum", "series_id": 999999},
        ],
        ("handler_hr", {"theme": "座谈", "starts_at": "2026-11-20T09:00", "kind": "forum"}),
    ),
    "add_meeting_issues": Case(
        _meeting,
        "dispatcher_east",
        lambda m: f"/fieldwork/meetings/{m.pk}/",
        lambda m: f"/api/fieldwork/meetings/{m.pk}/issues",
        meeting_inputs.IssuesIn,
        [{"text": "东城恒信机械有限公司 | 用工 | 旺季缺一线操作工约50人"}],
        [{"text": "某某 | 用工"}, {"text": ""}, {"text": "西江鑫达物流有限公司 | 用工 | 缺工"}, {}],
        ("dispatcher_west", {"text": "东城恒信机械有限公司 | 用工 | 缺工"}),
        extra={"action": "issues"},
    ),
    "announce_meeting": Case(
        _meeting,
        "dispatcher_east",
        lambda m: f"/fieldwork/meetings/{m.pk}/",
        lambda m: f"/api/fieldwork/meetings/{m.pk}/announce",
        None,
        [{}],
        [],
        ("ent_user_a", {}),
        extra={"action": "announce"},
    ),
    "record_minutes": Case(
        _meeting,
        "dispatcher_east",
        lambda m: f"/fieldwork/meetings/{m.pk}/",
        lambda m: f"/api/fieldwork/meetings/{m.pk}/minutes",
        meeting_inputs.MinutesIn,
        [{"minutes": "企业反映用工问题，人社局现场答复"}],
        [{"minutes": ""}, {}, {"minutes": "长" * 20001}],
        ("ent_user_a", {"minutes": "纪要"}),
        extra={"action": "minutes"},
    ),
    "officer_appeal": Case(
        _served,
        "officer",
        lambda e: "/fieldwork/officer/",
        lambda e: "/api/fieldwork/officer/appeals",
        officer_inputs.OfficerAppealIn,
        [APPEAL],
        [
            {**APPEAL, "enterprise_id": "ent_b"},
            {**APPEAL, "category_id": 999999},
            {**APPEAL, "title": ""},
            {k: v for k, v in APPEAL.items() if k != "category_id"},
        ],
        ("officer2", APPEAL),
    ),
    "log_visit": Case(
        _served,
        "officer",
        lambda e: f"/fieldwork/visits/new/?enterprise={e.pk}",
        lambda e: "/api/fieldwork/visits",
        officer_inputs.VisitIn,
        [
            {
                "enterprise_id": "ent_a",
                "visited_on": DAY,
                "people_met": "总经理 陈某",
                "findings": "订单增长",
            },
            {
                "enterprise_id": "ent_a",
                "visited_on": DAY,
                "people_met": "总经理 陈某",
                "findings": "扩产缺工",
                "issues": [{"category_id": "labour", "content": "缺一线操作工约60人", "title": "缺工"}],
            },
        ],
        [
            {"enterprise_id": "ent_a", "visited_on": DAY, "people_met": "总经理", "findings": ""},
            {"enterprise_id": "ent_a", "visited_on": FUTURE, "people_met": "总经理", "findings": "f"},
            {"enterprise_id": "ent_a", "visited_on": "昨天", "people_met": "总经理", "findings": "f"},
            {
                "enterprise_id": "ent_a",
                "visited_on": DAY,
                "people_met": "总经理",
                "findings": "f",
                "issues": [{"category_id": 999999, "content": "缺工"}],
            },
            {
                "enterprise_id": "ent_a",
                "visited_on": DAY,
                "people_met": "总经理",
                "findings": "f",
                "issues": [{"content": "缺工"}],
            },
        ],
        ("officer2", {"enterprise_id": "ent_a", "visited_on": DAY, "people_met": "总经理", "findings": "f"}),
        form=_visit_form,
    ),
    "assign_officer": Case(
        _enterprise,
        "dispatcher",
        lambda e: f"/fieldwork/enterprises/{e.pk}/",
        lambda e: f"/api/fieldwork/enterprises/{e.pk}/assignments",
        officer_inputs.ServiceAssignIn,
        [{"user_id": "officer", "role": "chief", "on": DAY}, {"user_id": "officer", "role": "resident"}],
        [
            {"user_id": "handler_hr", "role": "chief", "on": DAY},
            {"user_id": "officer", "role": "boss", "on": DAY},
            {"user_id": 999999, "role": "chief", "on": DAY},
            {"user_id": "officer", "role": "chief", "on": "明天"},
        ],
        ("leader", {"user_id": "officer", "role": "chief", "on": DAY}),
    ),
    "submit_clue": Case(
        _appointed,
        "sup_user",
        lambda s: "/fieldwork/supervisor/",
        lambda s: "/api/fieldwork/clues",
        supervisor_inputs.ClueIn,
        [
            {"title": "窗口要求重复提交材料", "content": "暗示找中介", "department_id": "hr"},
            {"title": "窗口拖延", "content": "多次推诿", "subject": "某服务窗口工作人员", "occurred_on": DAY},
        ],
        [
            {"title": "", "content": "c", "department_id": "hr"},
            {"title": "t", "content": "c"},
            {"title": "t", "content": "c", "department_id": 999999},
            {"title": "t", "content": "c", "department_id": "hr", "occurred_on": FUTURE},
            {"title": "长" * 101, "content": "c", "department_id": "hr"},
        ],
        ("sup_user2", {"title": "t", "content": "c", "department_id": "hr"}),
        extra={"action": "clue"},
    ),
    "handle_clue": Case(
        _clue,
        "dispatcher",
        lambda c: f"/fieldwork/clues/{c.number}/",
        lambda c: f"/api/fieldwork/clues/{c.number}/actions",
        supervisor_inputs.ClueActionIn,
        [{"action": "accept"}, {"action": "dismiss", "note": "经了解不属实"}],
        [{"action": "transfer", "note": "移送"}, {"action": "dismiss"}, {"action": "fly"}, {}],
        ("sup_user", {"action": "accept"}),
    ),
    "spot_check": Case(
        _appointed,
        "sup_user",
        lambda s: "/fieldwork/supervisor/",
        lambda s: "/api/fieldwork/spot-checks",
        supervisor_inputs.SpotCheckIn,
        [{"department_id": "hr", "checked_on": DAY, "items": SCORES, "place": "政务服务中心"}],
        [
            {"department_id": "hr", "checked_on": DAY, "items": {**SCORES, "policy": 25}},
            {"department_id": "hr", "checked_on": DAY, "items": {k: 10 for k in list(SCORES)[1:]}},
            {"department_id": 999999, "checked_on": DAY, "items": SCORES},
            {"department_id": "hr", "checked_on": FUTURE, "items": SCORES},
        ],
        ("sup_user2", {"department_id": "hr", "checked_on": DAY, "items": SCORES}),
        form=_spot_form,
        extra={"action": "spot_check"},
    ),
    "supervisor_appeal": Case(
        _appointed,
        "sup_user",
        lambda s: "/fieldwork/supervisor/",
        lambda s: "/api/fieldwork/supervisor/appeals",
        common.AgentAppealIn,
        [APPEAL],
        [{**APPEAL, "enterprise_id": 999999}, {**APPEAL, "category_id": 999999}, {**APPEAL, "title": ""}],
        ("sup_user2", APPEAL),
        extra={"action": "appeal"},
    ),
    "appoint_supervisor": Case(
        _nothing,
        "dispatcher",
        lambda o: "/fieldwork/supervisors/",
        lambda o: "/api/fieldwork/supervisors",
        supervisor_inputs.AppointIn,
        [
            {
                "user_id": "sup_user",
                "certificate_no": "JD-001",
                "background": "npc",
                "term_start": DAY,
                "term_end": FUTURE,
            }
        ],
        [
            {
                "user_id": "handler_hr",
                "certificate_no": "JD-002",
                "background": "npc",
                "term_start": DAY,
                "term_end": FUTURE,
            },
            {
                "user_id": "sup_user",
                "certificate_no": "JD-003",
                "background": "x",
                "term_start": DAY,
                "term_end": FUTURE,
            },
            {
                "user_id": "sup_user",
                "certificate_no": "JD-004",
                "background": "npc",
                "term_start": FUTURE,
                "term_end": DAY,
            },
            {
                "user_id": "sup_user",
                "certificate_no": "",
                "background": "npc",
                "term_start": DAY,
                "term_end": FUTURE,
            },
            {"user_id": "sup_user", "background": "npc", "term_start": DAY, "term_end": FUTURE},
        ],
        (
            "leader",
            {
                "user_id": "sup_user",
                "certificate_no": "JD-9",
                "background": "npc",
                "term_start": DAY,
                "term_end": FUTURE,
            },
        ),
    ),
    "designate_contact_point": Case(
        _nothing,
        "dispatcher",
        lambda o: "/fieldwork/contact-points/",
        lambda o: "/api/fieldwork/contact-points",
        point_inputs.DesignateIn,
        [{"enterprise_id": "ent_a", "kind": "congress", "responsible": "张代表"}],
        [
            {"enterprise_id": "ent_a", "kind": "x", "responsible": "张代表"},
            {"enterprise_id": "ent_a", "kind": "congress", "responsible": ""},
            {"enterprise_id": 999999, "kind": "congress", "responsible": "张代表"},
            {"enterprise_id": "ent_a", "kind": "congress", "responsible": "张代表", "department_id": 999999},
        ],
        ("leader", {"enterprise_id": "ent_a", "kind": "congress", "responsible": "张代表"}),
        extra={"action": "designate"},
    ),
    "contact_point_appeal": Case(
        _point,
        "dispatcher",
        lambda p: "/fieldwork/contact-points/",
        lambda p: f"/api/fieldwork/contact-points/{p.pk}/appeals",
        point_inputs.ContactAppealIn,
        [{"category_id": "labour", "title": "用工", "content": "缺工"}],
        [
            {"category_id": 999999, "title": "用工", "content": "缺工"},
            {"category_id": "labour", "title": "", "content": "c"},
        ],
        ("leader", {"category_id": "labour", "title": "用工", "content": "缺工"}),
        form=lambda data, p: {**data, "point_id": p.pk},
        extra={"action": "appeal"},
    ),
    "create_task_force": Case(
        _nothing,
        "dispatcher",
        lambda o: "/fieldwork/task-forces/",
        lambda o: "/api/fieldwork/task-forces",
        task_force_inputs.TaskForceIn,
        [{"name": "二期项目专班", "matter": "用地协同", "members": MEMBERS}],
        [
            {"name": "专班", "matter": "m", "members": MEMBERS[:1]},
            {"name": "专班", "matter": "m", "members": [{**m, "is_lead": False} for m in MEMBERS]},
            {"name": "", "matter": "m", "members": MEMBERS},
            {"name": "专班", "matter": "m", "members": MEMBERS, "appeal_numbers": ["QQ000000000000"]},
            {"name": "专班", "matter": "m", "members": [MEMBERS[0], {**MEMBERS[1], "person": ""}]},
        ],
        ("leader", {"name": "专班", "matter": "m", "members": MEMBERS}),
        form=_task_force_form,
    ),
    "log_task_force": Case(
        _task_force,
        "handler_land",
        lambda t: f"/fieldwork/task-forces/{t.pk}/",
        lambda t: f"/api/fieldwork/task-forces/{t.pk}/logs",
        task_force_inputs.TaskForceLogIn,
        [{"note": "用地预审已完成"}],
        [{"note": ""}, {}, {"note": "长" * 5001}],
        ("leader", {"note": "进展"}),
    ),
    "close_task_force": Case(
        _task_force,
        "dispatcher",
        lambda t: f"/fieldwork/task-forces/{t.pk}/",
        lambda t: f"/api/fieldwork/task-forces/{t.pk}/close",
        task_force_inputs.CloseIn,
        [{"note": "项目已开工"}, {}],
        [{"note": "长" * 5001}],
        ("handler_land", {"note": "完成"}),
        extra={"action": "close"},
    ),
}


def test_every_fieldwork_action_has_cases():
    """Every POST endpoint of the fieldwork API is one of the cases (and so has its page twin)."""
    from qinqing.api.api import api

    schema = api.get_openapi_schema()
    posts = {
        p.replace("/api/fieldwork", "")
        for p, ops in schema["paths"].items()
        if p.startswith("/api/fieldwork") and "post" in ops
    }
    assert len(posts) == len(CASES) == 18


# ---------------------------------------------------------------- the two doors


class People:
    def __init__(self, world, field):
        self.w, self.f = world, field

    def __getattr__(self, name):
        return getattr(self.f, name) if hasattr(self.f, name) else getattr(self.w, name)


NAMES = {"ent_a", "ent_b", "labour", "hr", "land", "officer", "handler_hr", "sup_user"}


def _resolve(people, data):
    """Names in the cases stand for objects of the world (departments, users, enterprises, categories)."""

    def one(value):
        return getattr(people, value).pk if isinstance(value, str) and value in NAMES else value

    out = {}
    for key, value in data.items():
        if key in ("enterprise_id", "category_id", "department_id", "user_id"):
            out[key] = one(value)
        elif key == "enterprise_ids":
            out[key] = [one(v) for v in value]
        elif key in ("members", "issues"):
            out[key] = [
                {k: one(v) if k in ("department_id", "category_id") else v for k, v in row.items()}
                for row in value
            ]
        else:
            out[key] = value
    return out


def _form_value(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        return [_form_value(v) for v in value]
    return str(value)


def _via_page(people, case, user, obj, data):
    client = Client()
    client.force_login(user)
    body = {k: _form_value(v) for k, v in {**case.form(data, obj), **(case.extra or {})}.items()}
    r = client.post(case.page(obj), body)
    if r.status_code == 404:
        return ("refused", 404, None)
    assert r.status_code in (200, 302), r.content.decode()[:500]
    notes = [(m.level_tag, str(m)) for m in get_messages(r.wsgi_request)]
    if any(level == "success" for level, _ in notes):
        return ("accepted", None, None)
    [(level, text)] = notes
    assert level == "error"
    return ("refused", None, text)


def _via_api(people, case, user, obj, data):
    headers = {"Authorization": f"Bearer {people.w.token(user)}"}
    r = Client().post(case.api(obj), json.dumps(data), content_type="application/json", headers=headers)
    if r.status_code < 300:
        return ("accepted", None, None)
    if r.status_code == 404:
        return ("refused", 404, None)
    body = r.json()
    refusal = InvalidInput(body["message"], body["errors"])
    if r.status_code == 422 and case.schema is not None:
        refusal.labels = core_inputs.labels(case.schema)
    return ("refused", None, error_text(refusal))


def _both(world, field, case, persona, data):
    outcomes = []
    for door in (_via_page, _via_api):
        with _fresh(world):
            people = People(world, field)
            obj = case.setup(world, field)
            outcomes.append(door(people, case, getattr(people, persona), obj, _resolve(people, data)))
    return outcomes


class _fresh:
    """Each door acts on a world in the same state: the first door's writes are rolled back before the second."""

    def __init__(self, world):
        self.atomic = transaction.atomic()

    def __enter__(self):
        self.atomic.__enter__()
        self.sid = transaction.savepoint()

    def __exit__(self, *exc):
        transaction.savepoint_rollback(self.sid)
        return self.atomic.__exit__(*exc)


@pytest.mark.parametrize("name", sorted(CASES))
def test_page_and_api_accept_and_refuse_the_same_inputs(world, field, clock, name):
    case = CASES[name]
    for data in case.good:
        page, api = _both(world, field, case, case.persona, data)
        assert page == api == ("accepted", None, None), (name, data, page, api)
    for data in case.bad:
        page, api = _both(world, field, case, case.persona, data)
        assert page[0] == api[0] == "refused", (name, data, page, api)
        assert page == api, (name, data, page, api)
        assert page[2] is None or page[2].strip(), "a refusal says why"


@pytest.mark.parametrize("name", sorted(CASES))
def test_page_and_api_refuse_the_same_people(world, field, clock, name):
    case = CASES[name]
    persona, data = case.refused
    page, api = _both(world, field, case, persona, data)
    assert page[0] == api[0] == "refused", (name, page, api)
    assert page == api, (name, page, api)
