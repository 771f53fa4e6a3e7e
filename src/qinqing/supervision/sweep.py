"""The deadline sweep: yellow warning → red → 催办 the working day after the deadline → escalation (通报) to the
department's head and the region's leaders N working days later. Meant for cron every few minutes; each rung is
a unique ``DeadlineAlert`` row, inserted in the same transaction as its event and notifications, so two sweeps at
once (or twice in a row) produce every rung exactly once."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.appeals.models import TIMED_STATUSES, Appeal, AppealEvent, Step
from qinqing.appeals.services import record_event
from qinqing.core import workcalendar
from qinqing.organisation.models import Department
from qinqing.supervision.models import DeadlineAlert, Notification
from qinqing.supervision.notify import notify

Rung = DeadlineAlert.Rung
EVENT = {
    Rung.YELLOW: AppealEvent.Kind.WARNED,
    Rung.RED: AppealEvent.Kind.OVERDUE,
    Rung.REMINDER: AppealEvent.Kind.REMINDED,
    Rung.ESCALATION: AppealEvent.Kind.ESCALATED,
}
NOTIFICATION = {
    Rung.YELLOW: Notification.Kind.WARNING,
    Rung.RED: Notification.Kind.OVERDUE,
    Rung.REMINDER: Notification.Kind.REMINDER,
    Rung.ESCALATION: Notification.Kind.ESCALATION,
}
STEP_NAMES: dict[str, str] = {Step.TRIAGE: "受理", Step.SIGN: "签收", Step.HANDLE: "办理"}


@dataclass
class SweepResult:
    created: dict[str, int] = field(default_factory=lambda: {r.value: 0 for r in Rung})
    notifications: int = 0


def reminder_day(deadline: dt.datetime) -> dt.date:
    """催办 is due on the first working day after the deadline's day."""
    return workcalendar.add_working_days(workcalendar.local_date(deadline), 1)


def escalation_day(deadline: dt.datetime) -> dt.date:
    return workcalendar.add_working_days(reminder_day(deadline), settings.QINQING_ESCALATE_AFTER_DAYS)


def rungs_due(appeal: Appeal, now: dt.datetime) -> list[Rung]:
    if appeal.deadline is None or appeal.status not in TIMED_STATUSES:
        return []
    if now <= appeal.deadline:
        return [Rung.YELLOW] if appeal.yellow_at and now >= appeal.yellow_at else []
    due = [Rung.RED]
    today = workcalendar.local_date(now)
    if today >= reminder_day(appeal.deadline):
        due.append(Rung.REMINDER)
    if today >= escalation_day(appeal.deadline):
        due.append(Rung.ESCALATION)
    return due


def _region_ids(appeal: Appeal) -> list[int]:
    return [int(x) for x in appeal.region.path.strip("/").split("/") if x]


def recipients(appeal: Appeal, rung: Rung) -> list[User]:
    users = User.objects.filter(is_active=True)
    regional = users.filter(region_id__in=_region_ids(appeal))
    if appeal.step == Step.TRIAGE or appeal.lead_department_id is None:
        found = list(regional.filter(role=Role.DISPATCHER))
        if rung == Rung.ESCALATION:
            found += list(regional.filter(role=Role.LEADER))
        return found
    dept = users.filter(department_id=appeal.lead_department_id)
    found = list(dept.filter(role=Role.HANDLER))
    if rung in (Rung.REMINDER, Rung.ESCALATION) or not found:
        found += list(dept.filter(role=Role.DEPT_HEAD))
    if rung == Rung.ESCALATION:
        found += list(regional.filter(role__in=[Role.LEADER, Role.DISPATCHER]))
    return found


def _message(appeal: Appeal, rung: Rung) -> tuple[str, str]:
    step = STEP_NAMES.get(appeal.step, appeal.step)
    deadline = timezone.localtime(appeal.deadline).strftime("%Y-%m-%d")
    who = appeal.lead_department.name if appeal.lead_department is not None else "营商办"
    if rung == Rung.YELLOW:
        return (
            f"临期预警：{appeal.number} {step}环节将于 {deadline} 到期",
            f"“{appeal.title}”即将超期，请抓紧{step}。",
        )
    if rung == Rung.RED:
        return (
            f"超期：{appeal.number} {step}环节已于 {deadline} 到期",
            f"“{appeal.title}”已超期（红灯），请立即{step}。",
        )
    if rung == Rung.REMINDER:
        return (
            f"催办通知：{appeal.number} 已超期",
            f"{who}：“{appeal.title}”{step}环节已于 {deadline} 到期仍未办理，现予催办，请当日内办理并反馈。",
        )
    return (
        f"升级通报：{appeal.number} 超期 {settings.QINQING_ESCALATE_AFTER_DAYS} 个工作日以上",
        f"{who}：“{appeal.title}”{step}环节于 {deadline} 到期，催办后仍未办理，予以通报，并纳入部门考评。",
    )


def _wecom_departments(appeal: Appeal, rung: Rung) -> list:
    """The 企业微信 group of the lead department hears its 催办 and 通报 (the table says which kinds go there)."""
    if rung in (Rung.REMINDER, Rung.ESCALATION) and appeal.lead_department is not None:
        return [appeal.lead_department]
    return []


def sweep(now: dt.datetime | None = None) -> SweepResult:
    """Every rung due now, once. A person (or a department's 企业微信 group) who would get more than
    ``QINQING_DIGEST_THRESHOLD`` messages from this one run gets one digest instead (the first sweep over a
    backlog floods nobody); the rungs, their events and everyone else's messages are as usual."""
    now = now or timezone.now()
    result = SweepResult()
    candidates = (
        Appeal.objects.filter(status__in=TIMED_STATUSES, yellow_at__lte=now)
        .select_related("region", "lead_department")
        .order_by("id")
    )
    done = set(
        DeadlineAlert.objects.filter(appeal__in=candidates).values_list("appeal_id", "step", "cycle", "rung")
    )
    planned: list[tuple[Appeal, Rung, list[User], list]] = []
    per_user: Counter[int] = Counter()
    per_department: Counter[int] = Counter()
    for appeal in candidates.iterator(chunk_size=500):
        if appeal.deadline is None:  # never due (rungs_due says so too); narrows the deadline below
            continue
        for rung in rungs_due(appeal, now):
            if (appeal.pk, appeal.step, appeal.reopen_count, rung) in done:
                continue
            users = recipients(appeal, rung)
            departments = _wecom_departments(appeal, rung)
            per_user.update({u.pk for u in users})
            per_department.update(d.pk for d in departments)
            planned.append((appeal, rung, users, departments))
    limit = settings.QINQING_DIGEST_THRESHOLD
    digest_users = {pk for pk, n in per_user.items() if n > limit}
    digest_departments = {pk for pk, n in per_department.items() if n > limit}
    digested: dict[int, list[tuple[Appeal, Rung]]] = defaultdict(list)
    digested_departments: dict[int, list[tuple[Appeal, Rung]]] = defaultdict(list)
    users_by_pk: dict[int, User] = {}
    departments_by_pk: dict[int, Department] = {}
    for appeal, rung, users, departments in planned:
        assert appeal.deadline is not None
        try:
            with transaction.atomic():
                DeadlineAlert.objects.create(
                    appeal=appeal,
                    step=appeal.step,
                    cycle=appeal.reopen_count,
                    rung=rung,
                    deadline=appeal.deadline,
                    department_id=appeal.lead_department_id,
                    created_at=now,
                )
                title, body = _message(appeal, rung)
                record_event(appeal, EVENT[rung], None, note=body, data={"step": appeal.step, "rung": rung})
                sent = notify(
                    [u for u in users if u.pk not in digest_users],
                    kind=NOTIFICATION[rung],
                    title=title,
                    body=body,
                    appeal=appeal,
                    url=f"/appeals/{appeal.number}/",
                    params=_params(appeal, rung),
                    departments=[d for d in departments if d.pk not in digest_departments],
                )
        except IntegrityError:
            continue  # another sweep got there first: it sent this rung
        result.created[rung] += 1
        result.notifications += len(sent)
        for u in users:
            if u.pk in digest_users:
                users_by_pk[u.pk] = u
                digested[u.pk].append((appeal, rung))
        for d in departments:
            if d.pk in digest_departments:
                departments_by_pk[d.pk] = d
                digested_departments[d.pk].append((appeal, rung))
    for pk, items in digested.items():
        with transaction.atomic():
            result.notifications += len(_digest(items, users=[users_by_pk[pk]]))
    for pk, items in digested_departments.items():
        with transaction.atomic():
            _digest(items, departments=[departments_by_pk[pk]])
    return result


def _params(appeal: Appeal, rung: Rung) -> dict[str, str]:
    deadline = timezone.localtime(appeal.deadline).strftime("%Y-%m-%d") if appeal.deadline else ""
    return {"step": STEP_NAMES.get(appeal.step, appeal.step), "date": deadline}


def digest_text(items: list[tuple[Appeal, Rung]]) -> tuple[str, str, str]:
    """Title, body and link of one digest: how many appeals, by rung, and which (the first twenty)."""
    appeals = list({a.pk: a for a, _ in items}.values())
    by_rung = Counter(rung for _, rung in items)
    counts = "、".join(f"{Rung(r).label} {by_rung[r]} 件" for r in Rung if by_rung[r])
    lights = "红灯" if any(r != Rung.YELLOW for _, r in items) else "黄灯"
    title = f"时限巡检汇总：共 {len(appeals)} 件诉求进入{lights}或需催办"
    listed = "\n".join(f"{a.number} {a.title}" for a in appeals[:20])
    more = f"\n……等共 {len(appeals)} 件" if len(appeals) > 20 else ""
    url = "/appeals/?light=red" if lights == "红灯" else "/appeals/?light=yellow"
    return title, f"本次巡检：{counts}。\n{listed}{more}", url


def _digest(items: list[tuple[Appeal, Rung]], *, users=(), departments=()) -> list:
    title, body, url = digest_text(items)
    count = str(len({a.pk for a, _ in items}))
    return notify(
        users,
        kind=Notification.Kind.DIGEST,
        title=title,
        body=body,
        url=url,
        params={"count": count},
        departments=departments,
    )
