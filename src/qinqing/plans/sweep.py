"""The plans' sweep (``tasks.sweep_plans``): 督办单 for reports not filed within their window and for milestones
past their due date, and the escalation of slips not answered by their response date, blue → yellow → red.

Idempotent and safe to overlap: each slip has a unique ``(task, key)`` (one per missed period, one per milestone),
every plan is swept under its row's lock (two sweeps take the plans one after the other; the second then finds
the first's slips), creation goes through ``get_or_create`` (a racing insert loses on the constraint and is found
instead), and an escalation is claimed with a conditional UPDATE on the slip's current level, so each rung is
taken and told once however many sweeps run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from qinqing.accounts.models import User
from qinqing.core import workcalendar
from qinqing.plans import periods
from qinqing.plans.models import Milestone, Plan, PlanEvent, Slip, Task
from qinqing.plans.services import department_heads, department_staff, leaders_of, office_of
from qinqing.supervision.notices import Kind as NoticeKind
from qinqing.supervision.notify import notify


@dataclass(frozen=True)
class Rung:
    level: str
    respond_days: int  # working days to answer
    escalates_to: str  # whom the next rung tells, in Chinese
    next: str | None


LEVELS: dict[str, Rung] = {
    Slip.Level.BLUE: Rung(Slip.Level.BLUE, 3, "部门负责人、营商办", Slip.Level.YELLOW),
    Slip.Level.YELLOW: Rung(Slip.Level.YELLOW, 2, "分管领导", Slip.Level.RED),
    Slip.Level.RED: Rung(Slip.Level.RED, 2, "—（最高等级，纳入红黑榜与年度考核）", None),
}


def escalates_to(slip: Slip) -> str:
    return LEVELS[slip.level].escalates_to


@dataclass
class Result:
    created: int = 0
    escalated: int = 0


Memo = dict[tuple, list[User]]


def _recipients(task: Task, level: str, memo: Memo) -> list[User]:
    # One sweep may issue thousands of slips (a backlog): each department's people are read once per sweep.
    key = (task.lead_department_id, task.plan_id, level)
    if key not in memo:
        memo[key] = _people(task, level)
    return memo[key] + ([task.supervisor] if task.supervisor is not None else [])


def _people(task: Task, level: str) -> list[User]:
    people = department_staff(task.lead_department)
    if level in (Slip.Level.YELLOW, Slip.Level.RED):
        people += department_heads(task.lead_department) + office_of(task.plan)
    if level == Slip.Level.RED:
        people += leaders_of(task.plan)
    return people


def _tell(slip: Slip, task: Task, escalated: bool, memo: Memo) -> None:
    level = slip.get_level_display()
    notify(
        _recipients(task, slip.level, memo),
        kind=NoticeKind.PLAN_SLIP,
        title=f"{level}{'（升级）' if escalated else ''}：{task.code} {slip.reason}"[:120],
        body=f"牵头部门：{task.lead_department}。请于{slip.respond_by:%Y年%m月%d日}前回复；逾期将升级至{escalates_to(slip)}。",
        url=reverse("plans:slip", args=[slip.pk]),
        params={"task": task.code, "reason": slip.reason, "date": f"{slip.respond_by:%m月%d日}"},
        departments=[task.lead_department],
    )


def _issue(task: Task, *, kind: str, key: str, reason: str, today: dt.date, memo: Memo, **extra) -> bool:
    rung = LEVELS[Slip.Level.BLUE]
    slip, created = Slip.objects.get_or_create(
        task=task,
        key=key,
        defaults={
            "kind": kind,
            "reason": reason[:300],
            "issued_on": today,
            "respond_by": workcalendar.add_working_days(today, rung.respond_days),
            **extra,
        },
    )
    if created:
        PlanEvent.objects.create(
            plan=task.plan,
            task=task,
            slip=slip,
            milestone=slip.milestone,
            kind="slip_issued",
            label="发出督办单",
            to_state=slip.state,
            note=reason,
            data={"level": slip.level},
        )
        _tell(slip, task, escalated=False, memo=memo)
    return created


@transaction.atomic
def _sweep_plan(plan_id: int, today: dt.date, memo: Memo) -> Result:
    result = Result()
    plan = Plan.objects.select_for_update(of=("self",)).filter(pk=plan_id, state=Plan.State.APPROVED).first()
    if plan is None:
        return result
    tasks = list(
        Task.objects.filter(plan=plan, state=Task.State.ACTIVE).select_related(
            "plan__region", "lead_department", "supervisor"
        )
    )
    if not tasks:
        return result
    task_ids = [t.pk for t in tasks]
    have = set(Slip.objects.filter(task_id__in=task_ids).values_list("task_id", "key"))
    finished = periods.finished_periods(plan, today)
    if finished:
        reported = set(
            plan.tasks.filter(reports__period_start__gte=finished[0][0]).values_list(
                "pk", "reports__period_start"
            )
        )
        # A task added after a period ended owes nothing for it.
        leaf = {t.pk for t in tasks} - set(
            Task.objects.filter(plan=plan, parent__isnull=False).values_list("parent_id", flat=True)
        )
        for task in tasks:
            if task.pk not in leaf:
                continue
            for start, end in finished:
                key = f"report:{start.isoformat()}"
                if (task.pk, key) in have or (task.pk, start) in reported:
                    continue
                due = periods.report_due(plan, end)
                reason = f"{start:%m月%d日}至{end:%m月%d日}进展报告未在{due:%m月%d日}前报送"
                result.created += _issue(
                    task,
                    kind=Slip.Kind.LATE_REPORT,
                    key=key,
                    reason=reason,
                    today=today,
                    memo=memo,
                    period_start=start,
                )
    by_task = {t.pk: t for t in tasks}
    for m in Milestone.objects.filter(
        task_id__in=task_ids, due__lt=today, state__in=(Milestone.State.OPEN, Milestone.State.RETURNED)
    ):
        key = f"milestone:{m.pk}"
        if (m.task_id, key) in have:
            continue
        reason = f"节点“{m.title}”已于{m.due:%m月%d日}到期未完成"
        result.created += _issue(
            by_task[m.task_id],
            kind=Slip.Kind.OVERDUE_MILESTONE,
            key=key,
            memo=memo,
            reason=reason,
            today=today,
            milestone=m,
        )
    return result


def _escalate(slip_id: int, today: dt.date, memo: Memo) -> bool:
    with transaction.atomic():
        slip = Slip.objects.select_related(
            "task__plan__region", "task__lead_department", "task__supervisor"
        ).get(pk=slip_id)
        rung = LEVELS[slip.level]
        if rung.next is None or slip.state != Slip.State.ISSUED:
            return False
        nxt = LEVELS[rung.next]
        respond_by = workcalendar.add_working_days(today, nxt.respond_days)
        # Claim the rung: only one sweep's UPDATE matches the slip still at its old level.
        claimed = Slip.objects.filter(
            pk=slip.pk, level=slip.level, state=Slip.State.ISSUED, respond_by__lt=today
        ).update(level=nxt.level, respond_by=respond_by, escalated_on=today)
        if claimed != 1:
            return False
        before = slip.level
        slip.level, slip.respond_by, slip.escalated_on = nxt.level, respond_by, today
        PlanEvent.objects.create(
            plan=slip.task.plan,
            task=slip.task,
            slip=slip,
            kind="slip_escalated",
            label=f"升级为{Slip.Level(nxt.level).label}",
            from_state=before,
            to_state=nxt.level,
            data={"respond_by": respond_by.isoformat()},
        )
        _tell(slip, slip.task, escalated=True, memo=memo)
        return True


def sweep(today: dt.date | None = None) -> Result:
    today = today or timezone.localdate()
    total = Result()
    memo: Memo = {}
    for plan_id in Plan.objects.filter(state=Plan.State.APPROVED).values_list("pk", flat=True):
        r = _sweep_plan(plan_id, today, memo)
        total.created += r.created
    for slip_id in Slip.objects.filter(
        state=Slip.State.ISSUED, respond_by__lt=today, level__in=(Slip.Level.BLUE, Slip.Level.YELLOW)
    ).values_list("pk", flat=True):
        total.escalated += _escalate(slip_id, today, memo)
    return total
