"""The plans sweep: a late report or an overdue milestone produces one 督办单, however many sweeps run (twice in a
row, or two at once on PostgreSQL), and an unanswered slip climbs blue → yellow → red, each rung once."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from qinqing.plans import services
from qinqing.plans.models import PlanEvent, Slip
from qinqing.plans.sweep import sweep
from qinqing.supervision.models import Notification

NOV16 = dt.date(2026, 11, 16)


def slip_keys():
    return sorted(Slip.objects.values_list("task__code", "key"))


@pytest.mark.django_db
def test_a_late_report_produces_one_slip_when_the_sweep_runs_twice(plans):
    w = plans.world
    # 1.1 reported for the first half of October, on time; nothing since.
    services.file_report(
        task=plans.hr_task, by=w.handler_hr, text="十月上半月进展", today=dt.date(2026, 10, 16)
    )
    first = sweep(NOV16)
    assert slip_keys() == [
        ("1.1", "report:2026-10-16"),
        ("1.2", f"milestone:{plans.m_land.pk}"),
        ("1.2", "report:2026-10-01"),
        ("1.2", "report:2026-10-16"),
    ]
    told = Notification.objects.filter(kind="plan_slip").count()
    assert first.created == 4 and told > 0
    again = sweep(NOV16)
    assert again.created == 0 and again.escalated == 0
    assert Slip.objects.count() == 4 and Notification.objects.filter(kind="plan_slip").count() == told
    # The 督办专员 and the lead department's staff hear of 1.1's slip; another department does not.
    hr_slip = Slip.objects.get(task=plans.hr_task)
    notified = set(
        Notification.objects.filter(kind="plan_slip", url=f"/plans/slips/{hr_slip.pk}/").values_list(
            "recipient__username", flat=True
        )
    )
    assert notified == {"leader", "handler_hr", "head_hr"}
    assert hr_slip.level == Slip.Level.BLUE and hr_slip.respond_by > NOV16


@pytest.mark.django_db
def test_a_report_filed_in_its_window_owes_nothing_and_a_missing_one_is_late_only_after_the_window(plans):
    w = plans.world
    services.file_report(task=plans.hr_task, by=w.handler_hr, text="a", today=dt.date(2026, 10, 16))
    services.file_report(task=plans.hr_task, by=w.handler_hr, text="b", today=dt.date(2026, 11, 2))
    sweep(NOV16)
    # Nov 1–15 is due three working days after the 15th: not late on the 16th.
    assert not Slip.objects.filter(task=plans.hr_task).exists()
    sweep(dt.date(2026, 11, 19))
    assert list(Slip.objects.filter(task=plans.hr_task).values_list("key", flat=True)) == [
        "report:2026-11-01"
    ]


@pytest.mark.django_db
def test_an_unanswered_slip_escalates_blue_yellow_red_once_each_and_an_answer_stops_it(plans):
    w = plans.world
    sweep(NOV16)
    hr = Slip.objects.filter(task=plans.land_task, key="report:2026-10-01").get()
    answered = Slip.objects.filter(task=plans.land_task, key="report:2026-10-16").get()
    services.answer_slip(slip=answered, by=w.handler_land, answer="已补报")
    day = hr.respond_by + dt.timedelta(days=1)
    assert sweep(day).escalated >= 1
    sweep(day)
    hr.refresh_from_db()
    assert hr.level == Slip.Level.YELLOW and hr.escalated_on == day
    leaders_before = Notification.objects.filter(kind="plan_slip", recipient=w.leader).count()
    day2 = hr.respond_by + dt.timedelta(days=1)
    sweep(day2)
    sweep(day2)
    hr.refresh_from_db()
    assert hr.level == Slip.Level.RED
    assert PlanEvent.objects.filter(slip=hr, kind="slip_escalated").count() == 2
    # Red tells the region's leaders.
    assert Notification.objects.filter(kind="plan_slip", recipient=w.leader).count() > leaders_before
    sweep(day2 + dt.timedelta(days=30))
    hr.refresh_from_db()
    assert hr.level == Slip.Level.RED  # the top rung
    answered.refresh_from_db()
    assert answered.level == Slip.Level.BLUE and answered.state == Slip.State.ANSWERED


@pytest.mark.django_db
def test_only_the_department_answers_and_only_the_reviewer_closes(plans):
    from qinqing.core.errors import NotPermitted, NotVisible
    from qinqing.plans import actions, inputs

    w = plans.world
    sweep(NOV16)
    slip = Slip.objects.filter(task=plans.hr_task).first()
    with pytest.raises(NotVisible):
        actions.answer_slip(w.handler_land, slip.pk, inputs.SlipAnswerIn(answer="x"))
    with pytest.raises(NotVisible):  # a co-operating department does not see the task's slips
        actions.answer_slip(w.handler_power, slip.pk, inputs.SlipAnswerIn(answer="x"))
    with pytest.raises(NotPermitted):
        actions.close_slip(w.handler_hr, slip.pk, inputs.PlanNoteIn(note=""))
    actions.answer_slip(w.handler_hr, slip.pk, inputs.SlipAnswerIn(answer="已补报"))
    actions.close_slip(w.leader, slip.pk, inputs.PlanNoteIn(note="同意"))
    slip.refresh_from_db()
    assert slip.state == Slip.State.CLOSED


@pytest.mark.pg_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_sweeps_issue_each_slip_once(plans):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent sweeps are exercised on PostgreSQL (SQLite ignores row locks)")
    barrier = threading.Barrier(3)
    errors = []

    def run():
        try:
            barrier.wait()
            sweep(NOV16)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert Slip.objects.count() == 5
    assert PlanEvent.objects.filter(kind="slip_issued").count() == 5
    # Each slip told its people once.
    per_slip = {
        s.pk: Notification.objects.filter(kind="plan_slip", url=f"/plans/slips/{s.pk}/").count()
        for s in Slip.objects.all()
    }
    hr_slips = [s for s in Slip.objects.filter(task=plans.hr_task)]
    assert all(per_slip[s.pk] == 3 for s in hr_slips)  # handler_hr, head_hr, the leader

    # And two sweeps racing on the escalation take each rung once.
    original = list(Slip.objects.values_list("pk", flat=True))
    later = max(Slip.objects.values_list("respond_by", flat=True)) + dt.timedelta(days=1)
    barrier = threading.Barrier(3)

    def run_later():
        try:
            barrier.wait()
            sweep(later)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run_later) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert set(Slip.objects.filter(pk__in=original).values_list("level", flat=True)) == {Slip.Level.YELLOW}
    # The periods that fell late meanwhile got their own blue slips, once.
    assert (
        Slip.objects.exclude(pk__in=original).count()
        == PlanEvent.objects.filter(kind="slip_issued").count() - 5
    )
    assert PlanEvent.objects.filter(kind="slip_escalated").count() == 5
