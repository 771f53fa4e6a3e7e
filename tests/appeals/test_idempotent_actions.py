"""A retried workflow action (same Idempotency-Key) answers like the first attempt instead of 409."""

from django.test import Client

from qinqing.appeals.models import AppealEvent


def api(world, user) -> Client:
    return Client(headers={"Authorization": f"Bearer {world.token(user)}"})


def test_a_retried_sign_returns_the_first_result_and_acts_once(world):
    appeal = world.assigned()
    c = api(world, world.handler_hr)
    first = c.post(
        f"/api/appeals/{appeal.number}/sign",
        {},
        content_type="application/json",
        headers={"Idempotency-Key": "k-1"},
    )
    again = c.post(
        f"/api/appeals/{appeal.number}/sign",
        {},
        content_type="application/json",
        headers={"Idempotency-Key": "k-1"},
    )
    assert first.status_code == again.status_code == 200
    assert first.json()["status"] == again.json()["status"] == "in_progress"
    assert AppealEvent.objects.filter(appeal=appeal, kind=AppealEvent.Kind.SIGNED).count() == 1
    # Without a key the repeat is what it is: a step that can no longer be taken.
    assert (
        c.post(f"/api/appeals/{appeal.number}/sign", {}, content_type="application/json").status_code == 409
    )


def test_a_key_reused_for_another_action_is_refused_in_chinese(world):
    appeal = world.assigned()
    c = api(world, world.handler_hr)
    c.post(
        f"/api/appeals/{appeal.number}/sign",
        {},
        content_type="application/json",
        headers={"Idempotency-Key": "k-2"},
    )
    r = c.post(
        f"/api/appeals/{appeal.number}/reply",
        {"measures": "组织招聘", "result": "已解决"},
        content_type="application/json",
        headers={"Idempotency-Key": "k-2"},
    )
    assert r.status_code == 400 and "Idempotency-Key 已用于另一操作" in r.json()["message"]
    assert not AppealEvent.objects.filter(appeal=appeal, kind=AppealEvent.Kind.REPLIED).exists()


def test_a_refused_action_leaves_no_receipt_so_a_corrected_retry_acts(world):
    appeal = world.in_progress()
    c = api(world, world.handler_hr)
    bad = c.post(
        f"/api/appeals/{appeal.number}/reply",
        {"measures": "", "result": ""},
        content_type="application/json",
        headers={"Idempotency-Key": "k-3"},
    )
    assert bad.status_code in (400, 422)
    good = c.post(
        f"/api/appeals/{appeal.number}/reply",
        {"measures": "组织专场招聘会", "result": "已招到45人"},
        content_type="application/json",
        headers={"Idempotency-Key": "k-3"},
    )
    assert good.status_code == 200 and good.json()["status"] == "replied"


def test_keys_belong_to_their_user(world):
    appeal = world.assigned()
    api(world, world.handler_hr).post(
        f"/api/appeals/{appeal.number}/sign",
        {},
        content_type="application/json",
        headers={"Idempotency-Key": "k-4"},
    )
    other = api(world, world.handler_power).post(
        f"/api/appeals/{appeal.number}/sign",
        {},
        content_type="application/json",
        headers={"Idempotency-Key": "k-4"},
    )
    assert other.status_code == 404  # not their appeal: the key does not open it
