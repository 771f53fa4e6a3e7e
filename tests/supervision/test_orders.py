"""督办 orders and the notification centre, with denials."""

import json

import pytest
from django.test import Client

from qinqing.supervision.models import Notification, SupervisionOrder
from tests.conftest import at

pytestmark = pytest.mark.django_db


def call(world, user, method, path, body=None, **params):
    client = Client()
    headers = {"Authorization": f"Bearer {world.token(user)}"}
    if method == "get":
        return client.get(f"/api{path}", params, headers=headers)
    return client.post(
        f"/api{path}", json.dumps(body or {}), content_type="application/json", headers=headers
    )


def test_order_issued_answered_with_events_lights_and_notifications(world, clock):
    appeal = world.in_progress()
    created = call(
        world,
        world.dispatcher,
        "post",
        "/supervision/orders",
        {
            "department": world.hr.pk,
            "appeals": [appeal.number],
            "content": "请于本周内办结并报告进展",
            "respond_by": "2026-11-18",
        },
    )
    assert created.status_code == 201, created.content
    order = created.json()
    assert order["light"] == "green" and order["state"] == "open"
    assert Notification.objects.filter(recipient=world.handler_hr, kind="supervision").exists()
    assert appeal.events.filter(kind="supervised").exists()

    # The department sees it; another department does not; the enterprise cannot issue one.
    assert [o["id"] for o in call(world, world.handler_hr, "get", "/supervision/orders").json()] == [
        order["id"]
    ]
    assert call(world, world.handler_power, "get", "/supervision/orders").json() == []
    assert (
        call(
            world, world.handler_power, "post", f"/supervision/orders/{order['id']}/answer", {"answer": "x"}
        ).status_code
        == 404
    )
    denied = call(
        world,
        world.ent_user_a,
        "post",
        "/supervision/orders",
        {"department": world.hr.pk, "appeals": [appeal.number], "content": "x", "respond_by": "2026-11-18"},
    )
    assert denied.status_code == 403

    clock.move_to(at(2026, 11, 18, 9, 0))
    assert call(world, world.dispatcher, "get", "/supervision/orders").json()[0]["light"] == "yellow"
    clock.move_to(at(2026, 11, 19, 9, 0))
    assert call(world, world.dispatcher, "get", "/supervision/orders").json()[0]["light"] == "red"

    answered = call(
        world,
        world.handler_hr,
        "post",
        f"/supervision/orders/{order['id']}/answer",
        {"answer": "已约谈企业，周五前办结"},
    )
    assert (
        answered.status_code == 200
        and answered.json()["state"] == "answered"
        and answered.json()["light"] is None
    )
    assert appeal.events.filter(kind="supervision_answered").exists()
    assert Notification.objects.filter(recipient=world.dispatcher, kind="supervision_answer").exists()
    again = call(
        world, world.handler_hr, "post", f"/supervision/orders/{order['id']}/answer", {"answer": "再次"}
    )
    assert again.status_code == 409 and "已回复" in again.json()["message"]


def test_bad_orders_are_refused_in_chinese(world, clock):
    appeal = world.in_progress()
    past = call(
        world,
        world.dispatcher,
        "post",
        "/supervision/orders",
        {"department": world.hr.pk, "appeals": [appeal.number], "content": "x", "respond_by": "2026-11-01"},
    )
    assert past.status_code == 400 and "回复日期" in json.dumps(past.json(), ensure_ascii=False)
    wrong = call(
        world,
        world.dispatcher,
        "post",
        "/supervision/orders",
        {
            "department": world.power.pk,
            "appeals": [appeal.number],
            "content": "x",
            "respond_by": "2026-11-20",
        },
    )
    assert wrong.status_code == 400 and "不由" in wrong.json()["message"]
    other_region = call(
        world,
        world.dispatcher_west,
        "post",
        "/supervision/orders",
        {"department": world.hr.pk, "appeals": [appeal.number], "content": "x", "respond_by": "2026-11-20"},
    )
    assert other_region.status_code == 404
    assert SupervisionOrder.objects.count() == 0


def test_issue_from_the_appeal_page_and_answer_from_the_order_page(world, clock):
    appeal = world.in_progress()
    office = Client()
    office.force_login(world.dispatcher)
    page = office.get(f"/appeals/{appeal.number}/").content.decode()
    assert "发出督办" in page
    office.post(
        f"/supervision/issue/{appeal.number}/",
        {"department": world.hr.pk, "content": "尽快办结", "respond_by": "2026-11-20"},
    )
    order = SupervisionOrder.objects.get()
    dept = Client()
    dept.force_login(world.handler_hr)
    assert "尽快办结" in dept.get("/supervision/orders/").content.decode()
    dept.post(f"/supervision/orders/{order.pk}/", {"answer": "已办结"})
    order.refresh_from_db()
    assert order.state == "answered"
    enterprise = Client()
    enterprise.force_login(world.ent_user_a)
    assert enterprise.get(f"/supervision/orders/{order.pk}/").status_code == 404
    assert "发出督办" not in enterprise.get(f"/appeals/{appeal.number}/").content.decode()


def test_notification_centre_unread_badge_and_mark_read(world, clock):
    for i in range(3):
        Notification.objects.create(recipient=world.handler_hr, kind="warning", title=f"预警{i}")
    mine = Notification.objects.create(recipient=world.handler_power, kind="warning", title="供电的")
    client = Client()
    client.force_login(world.handler_hr)
    page = client.get("/supervision/notifications/").content.decode()
    assert 'id="unread-count">3<' in page and "预警2" in page and "供电的" not in page
    # Marking someone else's notification changes nothing.
    body = call(world, world.handler_hr, "post", "/supervision/notifications/read", {"ids": [mine.pk]}).json()
    assert body == {"marked": 0, "unread": 3}
    first = Notification.objects.filter(recipient=world.handler_hr).first()
    client.post("/supervision/notifications/read/", {"ids": first.pk})
    assert (
        call(world, world.handler_hr, "get", "/supervision/notifications", unread=True).json().__len__() == 2
    )
    assert call(world, world.handler_hr, "post", "/supervision/notifications/read", {}).json() == {
        "marked": 2,
        "unread": 0,
    }
    assert 'id="unread-count"' not in client.get("/supervision/notifications/").content.decode()
    mine.refresh_from_db()
    assert mine.read_at is None


def test_an_oversized_id_list_is_refused_in_chinese_not_failed(world, clock):
    # 70,000 ids would exceed what one PostgreSQL statement takes as parameters.
    note = Notification.objects.create(recipient=world.handler_hr, kind="warning", title="预警")
    r = call(world, world.handler_hr, "post", "/supervision/notifications/read", {"ids": list(range(70_000))})
    assert r.status_code == 422
    assert r.json()["errors"]["ids"] == ["最多1000项"]
    note.refresh_from_db()
    assert note.read_at is None


def test_warnings_list_is_scoped(world, clock):
    from qinqing.supervision.sweep import sweep

    world.in_progress()
    clock.move_to(at(2026, 12, 1, 9, 0))
    sweep()
    assert {w["rung"] for w in call(world, world.handler_hr, "get", "/supervision/warnings").json()} == {
        "red",
        "reminder",
    }
    assert call(world, world.handler_power, "get", "/supervision/warnings").json() == []
    assert call(world, world.ent_user_a, "get", "/supervision/warnings").json() == []


def test_an_order_ends_by_itself_when_all_its_appeals_have_ended(world, clock):
    """No dead end: an order nobody answered does not stay 待回复 (and red) after its appeals are closed."""
    from qinqing.appeals import services as appeal_services
    from qinqing.supervision import services

    first, second = world.in_progress(), world.in_progress()
    order = services.issue_order(
        by=world.dispatcher,
        department=world.hr,
        appeals=[first, second],
        content="请加快办理",
        respond_by=at(2026, 11, 18).date(),
    )
    appeal_services.reply_to_appeal(appeal=first, by=world.handler_hr, measures="m", result="r")
    appeal_services.rate_appeal(appeal=first, by=world.ent_user_a, satisfaction="satisfied", resolved=True)
    assert services.settle_orders() == 0  # one appeal is still being handled
    appeal_services.withdraw_appeal(appeal=second, by=world.ent_user_a, reason="已自行解决")
    assert services.settle_orders() == 1
    assert services.settle_orders() == 0  # once
    order.refresh_from_db()
    assert order.state == SupervisionOrder.State.SETTLED and order.light() is None
    assert "自动结束" in first.events.last().note
    r = call(world, world.handler_hr, "post", f"/supervision/orders/{order.pk}/answer", {"answer": "已办结"})
    assert r.status_code == 409
