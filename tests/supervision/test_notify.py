"""Email and SMS copies are delivered by the worker after the commit, and retried with growing pauses."""

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from qinqing.supervision.models import Notification
from qinqing.supervision.notify import notify, retry_delay
from tests.worker import run_worker

SENT: list[tuple[str, str]] = []
FAILURES = {"left": 0}


class FlakySms:
    """Fails while ``FAILURES["left"]`` is positive, as a gateway does while it is down."""

    def send(self, mobile, template_code, params, text):
        if FAILURES["left"] > 0:
            FAILURES["left"] -= 1
            raise ConnectionError("SMS gateway unreachable")
        SENT.append((mobile, text))
        return {"request_id": f"req-{len(SENT)}", "code": "OK", "message": "OK"}


@pytest.fixture(autouse=True)
def _gateways(settings):
    settings.QINQING_SMS_SENDER = "tests.supervision.test_notify.FlakySms"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.QINQING_DELIVERY_ATTEMPTS = 3
    SENT.clear()
    FAILURES["left"] = 0


@pytest.fixture
def recipients(world):
    world.handler_hr.email, world.handler_hr.mobile = "hr@example.gov.cn", "13700000001"
    world.handler_hr.save()
    world.head_hr.mobile = "13700000002"
    world.head_hr.save()
    return [world.handler_hr, world.head_hr]


@pytest.mark.django_db
def test_the_row_is_written_now_and_the_copies_leave_with_the_worker(world, clock, recipients):
    notify(
        recipients,
        kind="reminder",
        title="催办通知：QQ1",
        body="请当日办理",
        params={"number": "QQ1", "step": "办理"},
    )
    assert Notification.objects.count() == 2  # the in-app centre: in the caller's transaction
    assert mail.outbox == [] and SENT == []
    assert run_worker() == 1
    assert [m.to for m in mail.outbox] == [["hr@example.gov.cn"]]  # one email each: no shared To line
    assert sorted(SENT) == [
        ("13700000001", "【亲清】催办：诉求QQ1办理环节已超期，请当日办理。"),
        ("13700000002", "【亲清】催办：诉求QQ1办理环节已超期，请当日办理。"),
    ]


@pytest.mark.django_db
def test_a_rolled_back_action_sends_nothing(world, clock, recipients):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipients, kind="reminder", title="催办通知：QQ1")
        raise RuntimeError("the action failed after notifying")
    assert not Notification.objects.exists() and not DBTaskResult.objects.exists()
    assert run_worker() == 0 and mail.outbox == [] and SENT == []


@pytest.mark.django_db
def test_failed_copies_are_retried_later_and_only_they(world, clock, recipients):
    FAILURES["left"] = 3  # both SMS fail on the first attempt, one on the second
    notify(recipients, kind="reminder", title="催办通知：QQ1")
    assert run_worker() == 1
    assert len(mail.outbox) == 1 and SENT == []  # the email went; the SMS wait for the retry
    waiting = DBTaskResult.objects.get(status="READY")
    assert waiting.args_kwargs["args"][1] == 2 and len(waiting.args_kwargs["args"][0]) == 2
    assert run_worker() == 0  # not due yet

    clock.shift(retry_delay(1) + dt.timedelta(seconds=1))
    assert run_worker() == 1
    assert len(SENT) == 1
    clock.shift(retry_delay(2) + dt.timedelta(seconds=1))
    assert run_worker() == 1
    assert len(SENT) == 2 and len(mail.outbox) == 1  # nothing was sent twice


@pytest.mark.django_db
def test_after_the_last_attempt_the_job_fails_visibly(world, clock, recipients):
    FAILURES["left"] = 100
    notify(recipients[1:], kind="reminder", title="催办通知：QQ1")
    for attempt in (1, 2, 3):
        assert run_worker() == 1
        clock.shift(retry_delay(attempt) + dt.timedelta(seconds=1))
    assert run_worker() == 0
    assert sorted(DBTaskResult.objects.values_list("status", flat=True)) == [
        "FAILED",
        "SUCCESSFUL",
        "SUCCESSFUL",
    ]
    failed = DBTaskResult.objects.get(status="FAILED")
    assert "DeliveryFailed" in failed.exception_class_path and SENT == []
