"""The deadline sweep with a controlled clock: yellow, red, 催办, 通报 at the right working-day moments, once each."""

import threading

import pytest
from django.core import mail
from django.db import connection, connections

from qinqing.appeals import services as appeal_services
from qinqing.appeals.models import AppealEvent
from qinqing.core import workcalendar
from qinqing.supervision.models import DeadlineAlert, Notification
from qinqing.supervision.sweep import sweep
from tests.conftest import at
from tests.worker import run_worker

SENT_SMS: list[tuple[str, str]] = []


class RecordingSms:
    def send(self, mobile, template_code, params, text):
        SENT_SMS.append((mobile, text))


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.QINQING_SMS_SENDER = "tests.supervision.test_sweep.RecordingSms"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    SENT_SMS.clear()


def rungs(appeal):
    return sorted(DeadlineAlert.objects.filter(appeal=appeal).values_list("rung", flat=True))


@pytest.mark.django_db
def test_handle_deadline_ladder(world, clock):
    world.handler_hr.email = "hr@example.gov.cn"
    world.handler_hr.mobile = "13700000001"
    world.handler_hr.save()
    appeal = world.in_progress()  # assigned and signed on Monday 2026-11-16; 10 working days
    run_worker()  # the notices of assigning and signing (tests/supervision/test_appeal_notices.py)
    mail.outbox.clear()
    SENT_SMS.clear()
    assert workcalendar.local_date(appeal.deadline).isoformat() == "2026-11-30"
    assert (
        workcalendar.local_date(appeal.yellow_at).isoformat() == "2026-11-27"
    )  # 20% of 10 days = 2 days left

    clock.move_to(at(2026, 11, 26, 23, 0))
    assert sweep().created["yellow"] == 0 and rungs(appeal) == []

    clock.move_to(at(2026, 11, 27, 9, 0))
    first = sweep()
    second = sweep()
    assert mail.outbox == [] and SENT_SMS == []  # copies leave with the worker, after the sweep committed
    assert run_worker() == 1  # one delivery job for the one rung
    assert first.created["yellow"] == 1 and second.created == {
        "yellow": 0,
        "red": 0,
        "reminder": 0,
        "escalation": 0,
    }
    assert rungs(appeal) == ["yellow"]
    note = Notification.objects.get(recipient=world.handler_hr, kind="warning")
    assert note.kind == "warning" and appeal.number in note.title
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["hr@example.gov.cn"]
    assert SENT_SMS == [("13700000001", f"【亲清】诉求{appeal.number}办理环节将于2026-11-30到期。")]

    clock.move_to(at(2026, 11, 30, 23, 0))  # the deadline day itself: still yellow
    assert sum(sweep().created.values()) == 0

    clock.move_to(at(2026, 12, 1, 8, 30))  # overdue; the first working day after: 催办 is due
    result = sweep()
    assert result.created["red"] == 1 and result.created["reminder"] == 1
    reminder_to = set(
        Notification.objects.filter(kind="reminder").values_list("recipient__username", flat=True)
    )
    assert reminder_to == {"handler_hr", "head_hr"}

    clock.move_to(at(2026, 12, 7, 18, 0))  # 4 working days after the 催办: not yet
    assert sweep().created["escalation"] == 0
    clock.move_to(at(2026, 12, 8, 9, 0))  # 5 working days after
    assert sweep().created["escalation"] == 1
    escalated_to = set(
        Notification.objects.filter(kind="escalation").values_list("recipient__username", flat=True)
    )
    assert {"head_hr", "leader", "dispatcher_city", "dispatcher_east"} <= escalated_to
    assert "handler_power" not in escalated_to and "dispatcher_west" not in escalated_to
    kinds = list(
        appeal.events.filter(kind__in=["warned", "overdue", "reminded", "escalated"]).values_list(
            "kind", flat=True
        )
    )
    assert kinds == ["warned", "overdue", "reminded", "escalated"]
    assert sum(sweep().created.values()) == 0


@pytest.mark.django_db
def test_escalation_waits_across_a_holiday(world, clock, settings):
    """Deadline on Wed 2026-09-30: National Day (Oct 1-8 off, Sat Oct 10 a make-up day) delays the rungs."""
    clock.move_to(at(2026, 9, 16, 10, 0))
    appeal = world.in_progress()
    assert workcalendar.local_date(appeal.deadline).isoformat() == "2026-09-30"
    clock.move_to(at(2026, 10, 2, 10, 0))
    assert sweep().created == {"yellow": 0, "red": 1, "reminder": 0, "escalation": 0}
    clock.move_to(at(2026, 10, 9, 10, 0))  # the first working day after the deadline: 催办
    assert sweep().created["reminder"] == 1
    clock.move_to(at(2026, 10, 14, 10, 0))  # Oct 9, 10 (Sat, make-up), 12, 13, 14: 5 working days after
    assert sweep().created["escalation"] == 1


@pytest.mark.django_db
def test_triage_overdue_goes_to_the_office_and_paused_work_is_left_alone(world, clock):
    waiting = world.submit()
    paused = world.in_progress()
    appeal_services.pause_clock(
        appeal=paused, by=world.handler_hr, kind="enterprise", reason="等待企业补充材料"
    )
    clock.move_to(at(2026, 12, 10, 9, 0))
    sweep()
    assert rungs(paused) == []
    assert "red" in rungs(waiting)
    to = set(
        Notification.objects.filter(appeal=waiting, kind="overdue").values_list(
            "recipient__username", flat=True
        )
    )
    assert to == {"dispatcher_city", "dispatcher_east"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.pg_only
def test_two_sweeps_at_once_send_each_rung_once(world, clock, settings):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are only meaningful on PostgreSQL; CI runs this there")
    settings.QINQING_DIGEST_THRESHOLD = 100  # one message per rung, to count them (the digest: its own test)
    appeals = [world.in_progress() for _ in range(5)]
    clock.move_to(at(2026, 12, 1, 9, 0))
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(sweep())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(r.created["red"] for r in results) == 5
    assert sum(r.created["reminder"] for r in results) == 5
    assert DeadlineAlert.objects.count() == 10
    assert AppealEvent.objects.filter(kind="overdue").count() == 5
    per_appeal = Notification.objects.filter(kind="overdue", appeal=appeals[0]).count()
    assert per_appeal == 1  # handler_hr only, once
