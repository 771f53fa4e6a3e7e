"""The first sweep over a backlog floods nobody (one digest per person and per department robot), and a pause
waiting for the enterprise's materials reminds the enterprise and, later, the office: each through the worker."""

import json

import pytest

from qinqing.appeals import services
from qinqing.appeals.models import AppealEvent, ClockPause
from qinqing.supervision.models import (
    DeadlineAlert,
    DepartmentWebhook,
    Notification,
    NotificationDelivery,
    PauseReminder,
)
from qinqing.supervision.tasks import remind_paused_appeals, sweep_deadlines
from tests.conftest import at
from tests.supervision.test_gateways import Gateway
from tests.worker import run_periodic, run_worker


def kinds_of(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


@pytest.mark.django_db
def test_a_backlog_gives_each_person_one_digest_instead_of_a_message_per_appeal_and_rung(
    world, clock, settings
):
    settings.QINQING_DIGEST_THRESHOLD = 3
    gateway = Gateway()
    gateway.answer = {"errcode": 0, "errmsg": "ok"}
    try:
        DepartmentWebhook.objects.create(department=world.hr, url=f"{gateway.endpoint}/send?key=k")
        backlog = [world.assigned(title=f"招工难第{i}批") for i in range(5)]  # never signed
        power = world.submit(category=world.power_cat, title="用电增容")
        services.assign_appeal(appeal=power, by=world.dispatcher, lead=world.power)
        run_worker()
        Notification.objects.all().delete()
        gateway.requests.clear()

        clock.move_to(at(2026, 12, 1, 9, 0))  # red, 催办 and 通报 are all due at once for every one of them
        run_periodic(sweep_deadlines)
        assert DeadlineAlert.objects.count() == 6 * 3  # every rung happened, on every appeal's timeline
        assert AppealEvent.objects.filter(kind="escalated").count() == 6

        assert kinds_of(world.handler_hr) == ["digest"]  # 15 messages would have come
        digest = Notification.objects.get(recipient=world.handler_hr)
        assert digest.title == "时限巡检汇总：共 5 件诉求进入红灯或需催办"
        assert "超期 5 件、催办通知 5 件、升级通报 5 件" in digest.body
        assert all(a.number in digest.body for a in backlog)
        assert digest.url == "/appeals/?light=red"
        assert kinds_of(world.head_hr) == ["digest"]  # 10 would have come
        assert kinds_of(world.leader) == ["digest"]  # 6 escalations
        # three messages are not a flood: the power company's handler gets each
        assert kinds_of(world.handler_power) == ["escalation", "overdue", "reminder"]
        # the department's robot: one digest post, not ten 催办/通报
        run_worker()
        assert len(gateway.requests) == 1
        assert json.loads(gateway.requests[0]["body"])["text"]["content"].startswith("【亲清】时限巡检汇总")

        run_periodic(sweep_deadlines)  # nothing is due twice: no second digest
        assert kinds_of(world.handler_hr) == ["digest"]
    finally:
        gateway.close()


@pytest.mark.django_db
def test_a_pause_for_materials_reminds_the_enterprise_every_n_working_days_and_then_the_office(
    world, clock, settings
):
    settings.QINQING_PAUSE_REMIND_DAYS = 3
    settings.QINQING_PAUSE_OFFICE_DAYS = 5
    world.ent_user_a.email = "ent_a@example.com"
    world.ent_user_a.save()
    appeal = world.in_progress()
    services.pause_clock(
        appeal=appeal, by=world.handler_hr, kind=ClockPause.Kind.ENTERPRISE, reason="请补充发票"
    )
    third = world.in_progress(title="第三方鉴定")
    services.pause_clock(
        appeal=third, by=world.handler_hr, kind=ClockPause.Kind.THIRD_PARTY, reason="等待鉴定"
    )
    run_worker()

    def reminders(user, kind):
        return Notification.objects.filter(recipient=user, kind=kind).count()

    clock.move_to(at(2026, 11, 18, 9, 30))  # 2 working days
    run_periodic(remind_paused_appeals)
    assert reminders(world.ent_user_a, "pause_reminder") == 0

    clock.move_to(at(2026, 11, 19, 9, 30))  # 3 working days: the first reminder, by SMS to the contact too
    run_periodic(remind_paused_appeals)
    run_periodic(remind_paused_appeals)
    assert reminders(world.ent_user_a, "pause_reminder") == 1
    sms = NotificationDelivery.objects.get(kind="pause_reminder", channel="sms")
    assert sms.address == "13800000001" and sms.params == {"number": appeal.number, "days": "3"}
    assert reminders(world.dispatcher_east, "pause_overdue") == 0

    clock.move_to(at(2026, 11, 21, 9, 30))  # Saturday: nobody is reminded on a day off
    run_periodic(remind_paused_appeals)
    clock.move_to(at(2026, 11, 23, 9, 30))  # 5 working days: the office hears, once
    run_periodic(remind_paused_appeals)
    run_periodic(remind_paused_appeals)
    assert reminders(world.dispatcher_east, "pause_overdue") == 1
    assert reminders(world.ent_user_a, "pause_reminder") == 1
    assert "请补充发票" in Notification.objects.get(kind="pause_overdue").body

    clock.move_to(at(2026, 11, 24, 9, 30))  # 6 working days: the second reminder
    run_periodic(remind_paused_appeals)
    assert reminders(world.ent_user_a, "pause_reminder") == 2
    assert sorted(PauseReminder.objects.values_list("rung", flat=True)) == [
        "enterprise-1",
        "enterprise-2",
        "office",
    ]

    services.resume_clock(appeal=appeal, by=world.handler_hr)  # materials came: no more reminders
    clock.move_to(at(2026, 11, 30, 9, 30))
    run_periodic(remind_paused_appeals)
    assert reminders(world.ent_user_a, "pause_reminder") == 2
