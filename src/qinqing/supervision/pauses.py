"""A pause waiting for the enterprise's materials (挂起：等待企业补充材料) does not wait silently: the enterprise is
reminded every ``QINQING_PAUSE_REMIND_DAYS`` working days, and after ``QINQING_PAUSE_OFFICE_DAYS`` working days the
office is told once (it may call the enterprise, or have the department resume). Each reminder is a unique
``PauseReminder`` row written with its notices, so overlapping or repeated runs send each once; a run missed while
the worker was down sends the reminder now due, not every one it missed."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from qinqing.appeals.models import ClockPause, Status
from qinqing.core import workcalendar
from qinqing.supervision.appeal_notices import tell_enterprise, tell_office
from qinqing.supervision.models import PauseReminder
from qinqing.supervision.notices import Kind


def remind_paused(now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    today = workcalendar.local_date(now)
    sent = {"enterprise": 0, "office": 0}
    if not workcalendar.is_workday(today):
        return sent
    waiting = ClockPause.objects.filter(
        kind=ClockPause.Kind.ENTERPRISE, ended_at__isnull=True, appeal__status=Status.PAUSED
    ).select_related("appeal__region", "appeal__submitted_by")
    for pause in waiting:
        with transaction.atomic():
            _remind(pause, today, now, sent)
    return sent


def _remind(pause: ClockPause, today: dt.date, now: dt.datetime, sent: dict[str, int]) -> None:
    days = workcalendar.working_days_between(workcalendar.local_date(pause.started_at), today)
    appeal = pause.appeal
    nth = days // settings.QINQING_PAUSE_REMIND_DAYS
    if nth >= 1 and _once(pause, f"enterprise-{nth}", now):
        tell_enterprise(
            appeal,
            Kind.PAUSE_REMINDER,
            f"补充材料提醒：{appeal.number}",
            f"“{appeal.title}”已等待您补充材料 {days} 个工作日：{pause.reason}\n"
            "请在诉求页面上传材料，补齐后恢复办理。",
            days=str(days),
        )
        sent["enterprise"] += 1
    if days >= settings.QINQING_PAUSE_OFFICE_DAYS and _once(pause, "office", now):
        tell_office(
            appeal,
            Kind.PAUSE_OVERDUE,
            f"挂起超时：{appeal.number} 等待企业补充材料已 {days} 个工作日",
            f"挂起理由：{pause.reason}\n请联系企业或督促承办单位恢复办理。",
        )
        sent["office"] += 1


def _once(pause: ClockPause, rung: str, now: dt.datetime) -> bool:
    """Claim the reminder: its row commits with the notices written next (the caller's transaction) or not at all."""
    try:
        with transaction.atomic():
            PauseReminder.objects.create(pause=pause, rung=rung, created_at=now)
    except IntegrityError:
        return False
    return True
