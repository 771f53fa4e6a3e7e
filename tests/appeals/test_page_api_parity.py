"""The page and the API are two doors onto one action layer: for every action of the workflow table they accept
and refuse the same inputs, with the same messages.

Each case runs twice on fresh appeals in the same state: once as a form post to the page, once as JSON to the
API. Accepted on one side means accepted on the other; refused means refused with the same text (the page
shows the API's message and field errors on one line, naming the fields in Chinese where the schema does).
"""

import json

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from qinqing.appeals import actions, services, workflow
from qinqing.appeals.models import ExtensionRequest
from qinqing.core import inputs as core_inputs
from qinqing.core.errors import InvalidInput
from qinqing.core.pages import error_text

pytestmark = pytest.mark.django_db


def _submitted(w):
    return w.submit()


def _assigned(w):
    return w.assigned()


def _in_progress(w):
    return w.in_progress()


def _paused(w):
    appeal = w.in_progress()
    services.pause_clock(appeal=appeal, by=w.handler_hr, kind="enterprise", reason="等待企业补充材料")
    return appeal


def _with_extension(w):
    appeal = w.in_progress()
    services.request_extension(appeal=appeal, by=w.handler_hr, days=3, reason="需会商")
    return appeal


def _replied(w):
    return w.replied()


def _held(w):
    """A reply waiting for review (答复复核) in a region that holds flagged replies."""
    w.city.hold_flagged_replies = True
    w.city.save()
    return services.reply_to_appeal(appeal=w.in_progress(), by=w.handler_hr, measures="已处理", result="好的")


def _closed_dissatisfied(w):
    return w.closed(satisfaction="dissatisfied")


def _closed_satisfied(w):
    return w.closed()


# action -> (state builder, persona, [inputs that must be accepted], [inputs that must be refused]).
# Each input is a dict of JSON values; the page posts them as a browser would (true -> "1", numbers as text).
CASES = {
    "assign": (
        _submitted,
        "dispatcher",
        [{"lead": "hr", "co": ["land"], "handle_days": 10, "difficulty": 2}, {"lead": "power"}],
        [
            {},
            {"lead": "abc"},
            {"lead": "office"},  # the office itself is not a handling department
            {"lead": "hr", "co": [999999]},
            {"lead": "hr", "handle_days": 0},
            {"lead": "hr", "difficulty": 9},
        ],
    ),
    "reject": (
        _submitted,
        "dispatcher",
        [{"reason": "不属于受理范围"}],
        [{}, {"reason": ""}, {"reason": "长" * 2001}],
    ),
    "sign": (_assigned, "handler_hr", [{}], []),
    "return": (_assigned, "handler_hr", [{"reason": "不属于本部门职责"}], [{}, {"reason": "  "}]),
    "request_extension": (
        _in_progress,
        "handler_hr",
        [{"days": 5, "reason": "需协调多个部门"}],
        [
            {"days": "abc", "reason": "r"},
            {"days": 0, "reason": "r"},
            {"days": 31, "reason": "r"},
            {"days": 5},
        ],
    ),
    "decide_extension": (
        _with_extension,
        "dispatcher",
        [{"approve": True}, {"approve": False, "note": "理由不充分"}],
        [{"approve": False}, {}, {"approve": "maybe"}],
    ),
    "pause": (
        _in_progress,
        "handler_hr",
        [{"kind": "enterprise", "reason": "等待企业补充材料"}],
        [{"kind": "holiday", "reason": "r"}, {"kind": "enterprise"}, {"reason": "r"}],
    ),
    "resume": (_paused, "handler_hr", [{}, {"note": "材料已补齐"}], [{"note": "长" * 2001}]),
    "note": (_in_progress, "handler_hr", [{"note": "已联系企业了解情况"}], [{}, {"note": ""}]),
    "reply": (
        _in_progress,
        "handler_hr",
        [{"measures": "组织专场招聘会", "result": "已招到45人"}],
        [{"measures": "组织专场招聘会"}, {"measures": "", "result": ""}],
    ),
    "release_reply": (_held, "head_hr", [{}, {"note": "同意"}], [{"note": "长" * 2001}]),
    "send_back": (_held, "head_hr", [{"reason": "请写明措施"}], [{}, {"reason": ""}]),
    "rate": (
        _replied,
        "ent_user_a",
        [
            {"satisfaction": "satisfied", "resolved": True},
            {"satisfaction": "dissatisfied", "resolved": False, "comment": "仍缺人"},
        ],
        [
            {"satisfaction": "dissatisfied", "resolved": False},
            {"satisfaction": "great", "resolved": True},
            {"satisfaction": "satisfied"},
        ],
    ),
    "reassign": (
        _in_progress,
        "dispatcher",
        [{"lead": "land", "reason": "属用地问题"}],
        [
            {},
            {"lead": "land"},
            {"lead": "hr", "reason": "r"},
            {"lead": "abc", "reason": "r"},
            {"lead": 999999, "reason": "r"},
        ],
    ),
    "reopen": (
        _closed_dissatisfied,
        "dispatcher",
        [{"reason": "问题仍未解决"}, {"reason": "改由用地部门办理", "lead": "land"}],
        [{}, {"reason": ""}, {"reason": "r", "lead": 999999}],
    ),
    "decline_reopen": (
        _closed_dissatisfied,
        "dispatcher",
        [{"reason": "已依政策答复"}],
        [{}, {"reason": " "}],
    ),
    "withdraw": (_submitted, "ent_user_a", [{"reason": "已自行解决"}], [{}, {"reason": ""}]),
    "merge": (
        _submitted,
        "dispatcher",
        [{"into": "other"}],
        [{}, {"into": "QQ000000000000"}, {"into": "self"}],
    ),
    "attach": (
        _in_progress,
        "handler_hr",
        [{"files": [("说明.pdf", b"%PDF-1.4 test")]}],
        [{}, {"files": [("a.exe", b"MZ")]}],
    ),
    "revisit": (
        _closed_satisfied,
        "dispatcher",
        [
            {"method": "phone", "reached": True, "satisfaction": "satisfied", "resolved": True},
            {"method": "sms", "reached": False},
            {
                "method": "visit",
                "reached": True,
                "satisfaction": "dissatisfied",
                "resolved": False,
                "comments": "仍缺人",
            },
        ],
        [
            {},
            {"method": "fax", "reached": True},
            {"method": "phone", "reached": True},
            {"method": "phone", "reached": True, "satisfaction": "basic", "resolved": False},
            {"method": "phone", "reached": False, "satisfaction": "satisfied"},
        ],
    ),
}

# Someone the table refuses, for every action: the page and the API must both say no, in the same words.
REFUSED_PERSONAS = {
    "assign": (_submitted, "dispatcher_west", {"lead": "hr"}),  # not visible to another district: 404
    "reject": (_submitted, "handler_hr", {"reason": "r"}),
    "sign": (_assigned, "handler_land", {}),  # co-handling, not lead
    "return": (_assigned, "handler_land", {"reason": "r"}),
    "request_extension": (_in_progress, "handler_land", {"days": 3, "reason": "r"}),
    "decide_extension": (_with_extension, "handler_hr", {"approve": True}),
    "pause": (_in_progress, "ent_user_a", {"kind": "enterprise", "reason": "r"}),
    "resume": (_paused, "ent_user_a", {}),
    "note": (_in_progress, "ent_user_a", {"note": "n"}),
    "reply": (_in_progress, "handler_land", {"measures": "m", "result": "r"}),
    "rate": (_replied, "handler_hr", {"satisfaction": "satisfied", "resolved": True}),
    "release_reply": (_held, "handler_hr", {}),  # the handler who wrote it is not its reviewer
    "send_back": (_held, "dispatcher", {"reason": "r"}),  # setting "head": not the office
    "reassign": (_in_progress, "handler_hr", {"lead": "land", "reason": "r"}),
    "reopen": (_closed_dissatisfied, "ent_user_a", {"reason": "r"}),  # the office reviews, not the enterprise
    "decline_reopen": (_closed_satisfied, "dispatcher", {"reason": "r"}),  # nothing to review
    "withdraw": (_submitted, "handler_hr", {"reason": "r"}),
    "merge": (_submitted, "handler_hr", {"into": "other"}),
    "attach": (_in_progress, "leader", {"files": [("说明.pdf", b"%PDF-1.4")]}),
    "revisit": (_closed_satisfied, "ent_user_a", {"method": "phone", "reached": False}),  # the office's call
}


def test_every_action_has_cases():
    assert set(CASES) == set(workflow.ACTIONS) == set(actions.INPUTS) == set(REFUSED_PERSONAS)


def _resolve(w, appeal, data: dict) -> dict:
    """Names in the cases stand for objects of the world: departments by attribute, appeals by role."""
    out = dict(data)
    for key in ("lead",):
        if isinstance(out.get(key), str) and hasattr(w, out[key]):
            out[key] = getattr(w, out[key]).pk
    if "co" in out:
        out["co"] = [getattr(w, c).pk if isinstance(c, str) else c for c in out["co"]]
    if out.get("into") == "other":
        out["into"] = w.submit(title="同一问题的另一诉求").number
    elif out.get("into") == "self":
        out["into"] = appeal.number
    return out


def _form(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        return [_form(v) for v in value]
    return str(value)


def _files(data):
    return [SimpleUploadedFile(name, content) for name, content in data.pop("files", [])]


def _via_page(w, user, appeal, name, data):
    client = Client()
    client.force_login(user)
    files = _files(data)
    body = {k: _form(v) for k, v in data.items()}
    if name == "decide_extension":
        body["extension"] = str(appeal.extensions.get(state=ExtensionRequest.State.PENDING).pk)
    if files:
        body["files"] = files
    before = appeal.events.count()
    r = client.post(f"/appeals/{appeal.number}/act/{name}/", body)
    if r.status_code == 404:
        return ("refused", 404, None)
    assert r.status_code == 302, r.content.decode()[:500]
    notes = [(m.level_tag, str(m)) for m in get_messages(r.wsgi_request)]
    changed = appeal.events.count() != before
    if any(level == "success" for level, _ in notes):
        assert changed, notes
        return ("accepted", None, None)
    assert not changed, notes
    [(level, text)] = notes
    assert level == "error"
    return ("refused", None, text)


def _via_api(w, user, appeal, name, data):
    client = Client()
    headers = {"Authorization": f"Bearer {w.token(user)}"}
    row = actions.INPUTS[name]
    path = f"/api/appeals/{appeal.number}/{row.path}"
    if name == "decide_extension":
        ext = appeal.extensions.get(state=ExtensionRequest.State.PENDING)
        path = path.replace("{extension_id}", str(ext.pk))
    files = _files(data)
    if name == "attach":
        r = client.post(path, {"files": files} if files else {}, headers=headers)
    else:
        r = client.post(path, json.dumps(data), content_type="application/json", headers=headers)
    if r.status_code < 300:
        return ("accepted", None, None)
    body = r.json()
    if r.status_code == 404:
        return ("refused", 404, None)
    refusal = InvalidInput(body["message"], body["errors"])
    if r.status_code == 422 and row.schema is not None:
        # Validation by the action's schema: the page names the fields as the schema titles them.
        refusal.labels = core_inputs.labels(row.schema)
    return ("refused", None, error_text(refusal))


def _both(world, name, builder, persona, data):
    outcomes = []
    for door in (_via_page, _via_api):
        appeal = builder(world)
        outcomes.append(door(world, getattr(world, persona), appeal, name, _resolve(world, appeal, data)))
    return outcomes


@pytest.mark.parametrize("name", sorted(CASES))
def test_page_and_api_accept_and_refuse_the_same_inputs(world, clock, name):
    builder, persona, good, bad = CASES[name]
    for data in good:
        page, api = _both(world, name, builder, persona, data)
        assert page == api == ("accepted", None, None), (name, data, page, api)
    for data in bad:
        page, api = _both(world, name, builder, persona, data)
        assert page[0] == api[0] == "refused", (name, data, page, api)
        assert page == api, (name, data, page, api)
        assert page[2] is None or page[2].strip(), "a refusal says why"


@pytest.mark.parametrize("name", sorted(REFUSED_PERSONAS))
def test_page_and_api_refuse_the_same_people(world, clock, name):
    builder, persona, data = REFUSED_PERSONAS[name]
    page, api = _both(world, name, builder, persona, data)
    assert page[0] == api[0] == "refused", (name, page, api)
    assert page == api, (name, page, api)


# ---------------------------------------------------------------- intake: 提交诉求 and 代为登记

SUBMIT_GOOD = {"title": "用电增容", "content": "新生产线需要增容", "category": "power"}
SUBMIT_CASES = [
    # (persona, data, accepted?)
    ("ent_user_a", SUBMIT_GOOD, True),
    ("ent_user_a", {**SUBMIT_GOOD, "urgency": "urgent", "contact_name": "王经理"}, True),
    ("ent_user_a", {**SUBMIT_GOOD, "title": ""}, False),
    ("ent_user_a", {**SUBMIT_GOOD, "title": "长" * 101}, False),
    ("ent_user_a", {**SUBMIT_GOOD, "category": "flying"}, False),
    ("ent_user_a", {**SUBMIT_GOOD, "urgency": "yesterday"}, False),
    ("ent_user_a", {**SUBMIT_GOOD, "contact_name": "名" * 31}, False),
    ("ent_user_a", {**SUBMIT_GOOD, "contact_mobile": "12345"}, False),
    ("dispatcher_east", {**SUBMIT_GOOD, "enterprise_uscc": "ent_a", "channel": "theme_day"}, True),
    ("dispatcher_east", {**SUBMIT_GOOD, "enterprise_uscc": "ent_b", "channel": "theme_day"}, False),
    ("dispatcher_east", {**SUBMIT_GOOD, "enterprise_uscc": "123", "channel": "theme_day"}, False),
    ("dispatcher_east", {**SUBMIT_GOOD, "channel": "theme_day"}, False),
    ("dispatcher_east", {**SUBMIT_GOOD, "enterprise_uscc": "ent_a", "channel": "carrier_pigeon"}, False),
    ("handler_hr", SUBMIT_GOOD, False),
]


@pytest.mark.parametrize(("persona", "data", "accepted"), SUBMIT_CASES)
def test_intake_page_and_api_agree(world, clock, persona, data, accepted):
    from qinqing.appeals.models import Appeal

    data = dict(data)
    if data.get("enterprise_uscc") in ("ent_a", "ent_b"):
        data["enterprise_uscc"] = getattr(world, data["enterprise_uscc"]).uscc
    user = getattr(world, persona)

    page = Client()
    page.force_login(user)
    r = page.post("/appeals/new/", {**data, "idempotency_key": "page-1"})
    if r.status_code == 404:
        page_outcome = ("refused", set())
    elif r.status_code == 302:
        page_outcome = ("accepted", set())
    else:
        shown = {f["name"] for f in r.context["fields"] if f["errors"]}
        page_outcome = ("refused", shown | ({"other"} if r.context["other_errors"] else set()))
    api = Client().post(
        "/api/appeals",
        json.dumps(data),
        content_type="application/json",
        headers={"Authorization": f"Bearer {world.token(user)}"},
    )
    shown_fields = {f["name"] for f in r.context["fields"]} if r.status_code == 200 else set()
    if api.status_code < 300:
        api_outcome = ("accepted", set())
    elif api.status_code in (403, 404):
        api_outcome = ("refused", set())
    else:
        errors = set(api.json()["errors"])
        api_outcome = ("refused", (errors & shown_fields) | ({"other"} if errors - shown_fields else set()))
    assert page_outcome[0] == api_outcome[0] == ("accepted" if accepted else "refused"), (
        page_outcome,
        api_outcome,
    )
    assert page_outcome == api_outcome
    assert Appeal.objects.count() == (2 if accepted else 0)
