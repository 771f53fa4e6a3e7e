"""What the API fuzzing (tools/fuzz_api.py, schemathesis) found the API accepting or failing on, each pinned:
a JSON body that is not an object, numbers read as dates, true read as 1, and bodies that do not parse."""

import pytest
from django.test import Client

from qinqing.supervision.models import Notification


@pytest.fixture
def handler(world):
    return Client(headers={"Authorization": f"Bearer {world.token(world.handler_hr)}"})


@pytest.fixture
def dispatcher(world):
    return Client(headers={"Authorization": f"Bearer {world.token(world.dispatcher)}"})


@pytest.mark.parametrize("body", ["[null, null]", '"x"', "5", "null", "true"])
def test_a_body_that_is_not_an_object_is_refused_and_changes_nothing(world, handler, body):
    # ninja's schemas read attributes of whatever they get: [null] used to mean "mark everything read".
    note = Notification.objects.create(recipient=world.handler_hr, kind="warning", title="预警")
    r = handler.post("/api/supervision/notifications/read", body, content_type="application/json")
    assert r.status_code == 400, r.content
    assert r.json() == {"message": "请求体应为 JSON 对象", "errors": {}}
    note.refresh_from_db()
    assert note.read_at is None


def test_a_body_that_is_not_json_is_refused_in_chinese(handler):
    r = handler.post("/api/supervision/notifications/read", "{oops", content_type="application/json")
    assert r.status_code == 400
    assert r.json() == {"message": "请求体不是合法的 JSON", "errors": {}}


def test_an_object_body_still_works(world, handler):
    note = Notification.objects.create(recipient=world.handler_hr, kind="warning", title="预警")
    r = handler.post(
        "/api/supervision/notifications/read", {"ids": [note.pk]}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json() == {"marked": 1, "unread": 0}


@pytest.mark.parametrize("ids", [[True], [1.0], ["1"]])
def test_an_id_must_be_a_json_integer(world, handler, ids):
    note = Notification.objects.create(recipient=world.handler_hr, kind="warning", title="预警")
    r = handler.post("/api/supervision/notifications/read", {"ids": ids}, content_type="application/json")
    assert r.status_code == 422, r.content
    assert all("应为整数" in m for ms in r.json()["errors"].values() for m in ms), r.json()
    note.refresh_from_db()
    assert note.read_at is None


@pytest.mark.parametrize("value", ["0", "1700000000", "2026/01/05", "tomorrow"])
def test_a_date_query_must_be_written_as_a_date(dispatcher, value):
    r = dispatcher.get("/api/appeals", {"date_to": value})
    assert r.status_code == 422
    assert r.json()["errors"] == {"date_to": ["日期格式应为 YYYY-MM-DD"]}


def test_a_date_query_written_as_a_date_is_read(dispatcher):
    assert (
        dispatcher.get("/api/appeals", {"date_from": "2026-01-01", "date_to": "2026-12-31"}).status_code
        == 200
    )


@pytest.mark.parametrize("approve", [1, 0, "yes"])
def test_a_yes_no_must_be_a_json_boolean(world, dispatcher, approve):
    appeal = world.in_progress()
    r = dispatcher.post(
        f"/api/appeals/{appeal.number}/extensions/1/decision",
        {"approve": approve},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["errors"] == {"approve": ["应为 true 或 false"]}


def test_a_multipart_body_that_does_not_parse_is_a_chinese_400(world, handler):
    appeal = world.in_progress()
    r = handler.post(
        f"/api/appeals/{appeal.number}/attachments", b"--x\r\n", content_type="multipart/form-data; boundary="
    )
    assert r.status_code == 400
    assert r.json() == {"message": "请求体格式有误，无法解析（如 multipart 缺少分隔符）", "errors": {}}
