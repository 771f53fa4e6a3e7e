"""任务推进排名 (plan-task 红黑榜), monthly and quarterly, over the lead departments of a region's plan tasks.

Rule ``RULE_VERSION`` (recorded on every published ranking, so a later change of rule never rewrites a past list):

- milestones **due** in the period (by their current due date): on time when accepted with a submission on or
  before the due date;
- score = 100 × on-time share − 2 per 督办单 issued in the period − 1 per milestone the reviewer returned in the
  period, not below 0;
- ranked only with at least ``MIN_DUE`` milestones due; red list: the best ``SIZE`` with nothing late, black list:
  the worst ``SIZE`` of the rest with anything late or a slip;
- only finished periods; a published ranking is frozen (one per region, period and start).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.audit import services as audit
from qinqing.audit.models import AuditRecord
from qinqing.core import workcalendar
from qinqing.core.errors import InvalidInput, NotPermitted
from qinqing.organisation.models import Department, Region, within
from qinqing.plans.models import Milestone, Plan, PlanEvent, Ranking, Slip
from qinqing.supervision.evaluation import period_bounds

RULE_VERSION = "plans-ranking-2026.1"
RULE_TEXT = (
    "按期完成率×100，每张督办单扣2分，每次节点退回扣1分，最低0分；本期到期节点不少于2个方参与排名；"
    "红榜为无逾期节点的前3名，黑榜为有逾期节点或督办单的后3名。"
)
SIZE = 3
MIN_DUE = 2
LIVE = (Plan.State.APPROVED, Plan.State.ENDED)


@dataclass
class Line:
    department_id: int
    department: str
    due: int = 0
    on_time: int = 0
    slips: int = 0
    rejections: int = 0

    @property
    def late(self) -> int:
        return self.due - self.on_time

    @property
    def rate(self) -> float | None:
        return round(self.on_time / self.due * 100, 1) if self.due else None

    @property
    def score(self) -> float | None:
        if self.due < MIN_DUE:
            return None
        return round(max(0.0, self.on_time / self.due * 100 - 2 * self.slips - self.rejections), 1)

    def row(self) -> dict:
        return {
            "department_id": self.department_id,
            "department": self.department,
            "due": self.due,
            "on_time": self.on_time,
            "late": self.late,
            "slips": self.slips,
            "rejections": self.rejections,
            "rate": self.rate,
            "score": self.score,
        }


def lines(region: Region, start: dt.date, end: dt.date, today: dt.date | None = None) -> list[Line]:
    """One line per lead department of the region's live plans with anything in the period, best first. A
    milestone counts once its due date has passed (the yearly sheet of the running year counts the year so far)."""
    last_due = min(end, (today or timezone.localdate()) - dt.timedelta(days=1))
    in_region = within(region, "task__plan__region") & Q(task__plan__state__in=LIVE)
    found: dict[int, Line] = {}

    def line(dept_id: int) -> Line:
        if dept_id not in found:
            found[dept_id] = Line(dept_id, "")
        return found[dept_id]

    for row in (
        Milestone.objects.filter(in_region, due__gte=start, due__lte=last_due)
        .values("task__lead_department_id")
        .annotate(
            due_n=Count("pk"),
            on_time=Count(
                "pk",
                filter=Q(state=Milestone.State.DONE, done_on__isnull=False, done_on__lte=F("due")),
            ),
        )
    ):
        ln = line(row["task__lead_department_id"])
        ln.due, ln.on_time = row["due_n"], row["on_time"]
    for dept_id, n in (
        Slip.objects.filter(in_region, issued_on__gte=start, issued_on__lte=end)
        .values("task__lead_department_id")
        .annotate(n=Count("pk"))
        .values_list("task__lead_department_id", "n")
    ):
        line(dept_id).slips = n
    since, until = workcalendar.day_span(start, end)
    for dept_id, n in (
        PlanEvent.objects.filter(in_region, kind="milestone_returned", at__gte=since, at__lt=until)
        .values("task__lead_department_id")
        .annotate(n=Count("pk"))
        .values_list("task__lead_department_id", "n")
    ):
        line(dept_id).rejections = n
    names = Department.objects.in_bulk(list(found))
    for ln in found.values():
        d = names.get(ln.department_id)
        ln.department = str(d) if d else ""
    return sorted(found.values(), key=lambda x: (x.score is None, -(x.score or 0), x.late, x.department))


def bounds(period: str, anchor: dt.date, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    if period not in Ranking.Period.values:
        raise InvalidInput("周期应为月度或季度", {"period": ["周期应为 month 或 quarter"]})
    start, end = period_bounds(period, anchor)
    if end >= (today or timezone.localdate()):
        raise InvalidInput("只能对已结束的周期排名", {"month": [f"{start:%Y年%m月}起的这一期尚未结束"]})
    return start, end


def preview(region: Region, period: str, anchor: dt.date, today: dt.date | None = None) -> dict:
    start, end = bounds(period, anchor, today)
    rows = lines(region, start, end)
    ranked = [r for r in rows if r.score is not None]
    red = [r for r in ranked if r.late == 0][:SIZE]
    rest = [r for r in reversed(ranked) if r not in red and (r.late or r.slips)]
    black = rest[:SIZE]
    return {
        "period": period,
        "start": start,
        "end": end,
        "rule_version": RULE_VERSION,
        "rule": RULE_TEXT,
        "red": [r.row() for r in red],
        "black": [r.row() for r in black],
        "all": [r.row() for r in rows],
    }


def publish(*, by: User, period: str, anchor: dt.date, confirm: bool) -> Ranking:
    if by.role != Role.DISPATCHER or (region := by.region) is None:
        raise NotPermitted("只有营商办调度员可以发布任务推进排名")
    if not confirm:
        raise InvalidInput("请确认发布", {"confirm": ["发布后不可更改，请勾选确认"]})
    data = preview(region, period, anchor)
    try:
        with transaction.atomic():
            published = Ranking.objects.create(
                region=region,
                period=period,
                start=data["start"],
                end=data["end"],
                rule_version=RULE_VERSION,
                red=data["red"],
                black=data["black"],
                all_rows=data["all"],
                published_by=by,
            )
            # Publishing names departments in public: a security audit record, as for the appeals' 红黑榜.
            audit.record(
                AuditRecord.Action.HONOURS_PUBLISHED,
                user=by,
                target=f"任务推进排名#{published.pk}",
                region=region.name,
                period=f"{published.get_period_display()} {published.start:%Y-%m}",
                rule_version=RULE_VERSION,
                red=[r["department"] for r in data["red"]],
                black=[r["department"] for r in data["black"]],
            )
            return published
    except IntegrityError as exc:
        raise InvalidInput(f"{data['start']:%Y年%m月}起的这一期排名已发布，发布后不可更改") from exc
