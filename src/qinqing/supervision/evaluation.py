"""Department evaluation for any period, with the definitions of DESIGN.md (shown on the page as written here).

All measures count the appeals a department leads (主办). Rates are None when their denominator is zero, and
the composite score re-weights over the rates that exist, so a department is not punished for having no ratings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from qinqing.appeals.models import (
    OPEN_STATUSES,
    TIMED_STATUSES,
    Appeal,
    AppealEvent,
    Category,
    Satisfaction,
    Step,
)
from qinqing.appeals.services import time_limit
from qinqing.core import workcalendar
from qinqing.core.numbers import rate
from qinqing.organisation.models import Department, Region, within
from qinqing.supervision.models import DeadlineAlert

DEFINITIONS = [
    ("收件数", "期内分派给本单位主办的诉求件数（按分派时间）"),
    ("签收及时率", "期内分派的诉求中，在签收时限内签收的件数 ÷ 已签收或已过签收时限的件数"),
    (
        "按期办结率",
        "期内答复的件数中在办理时限（含批准的延期）内答复的，÷（期内答复件数 + 办理时限在期内届满仍未答复的件数）",
    ),
    (
        "解决率",
        "期内评价的诉求中企业认为问题已解决的件数 ÷ 期内评价件数（不含超期未评价自动办结，不含申诉成立的评价）",
    ),
    ("满意率", "期内评价为“满意”或“基本满意”的件数 ÷ 期内评价件数"),
    ("平均办理时长", "期内答复的诉求从分派到答复经过的工作日数的平均值"),
    ("退回率", "期内本单位退回的件数 ÷（收件数 + 退回件数）"),
    ("延期率", "期内收件中申请过延期并获批的件数 ÷ 收件数"),
    ("重办率", "期内答复的诉求中因企业不满意而重办过的件数 ÷ 期内答复件数"),
    ("在办 / 超期", "统计时点本单位主办、尚未答复的件数 / 其中已超过当前环节时限的件数"),
    ("升级通报", "期内因超期被升级通报的件数（计入等次）"),
    ("难度", "分派时标注普通、较难、疑难；可只比较同一难度的诉求，使各单位同类相比"),
    ("排名", "先按等次（完成、如期推进、进展缓慢），同一等次内按综合得分"),
    (
        "等次",
        "完成：期内到期事项全部按期办结且无在办；如期推进：在办事项均在时限内；进展缓慢：有超期在办、期内超期答复或被升级通报",
    ),
]

DEFAULT_WEIGHTS = {"sign": 10, "on_time": 35, "resolution": 20, "satisfaction": 35}


class Grade:
    DONE = "完成"
    ON_TRACK = "如期推进"
    SLOW = "进展缓慢"


@dataclass
class Row:
    department: Department
    received: int = 0
    sign_on_time: int = 0
    sign_due: int = 0
    replied: int = 0
    replied_on_time: int = 0
    due_unreplied: int = 0
    rated: int = 0
    resolved: int = 0
    satisfied: int = 0
    handle_days_total: int = 0
    returned: int = 0
    extended: int = 0
    reopened: int = 0
    open: int = 0
    overdue: int = 0
    escalations: int = 0
    score: float | None = None
    rates: dict = field(default_factory=dict)
    extras: dict = field(default_factory=dict)  # key -> value of the registered extra columns

    def finish(self, weights: dict[str, float]) -> None:
        self.rates = {
            "sign": rate(self.sign_on_time, self.sign_due),
            "on_time": rate(self.replied_on_time, self.replied + self.due_unreplied),
            "resolution": rate(self.resolved, self.rated),
            "satisfaction": rate(self.satisfied, self.rated),
            "return": rate(self.returned, self.received + self.returned),
            "extension": rate(self.extended, self.received),
            "reopen": rate(self.reopened, self.replied),
        }
        present = {k: w for k, w in weights.items() if self.rates.get(k) is not None and w}
        total = sum(present.values())
        if total:
            score = sum(self.rates[k] * w for k, w in present.items()) / total * 100
            self.score = round(max(0.0, score - 2 * self.escalations), 1)

    @property
    def extra_values(self) -> list:
        return [self.extras.get(c.key) for c in EXTRA_COLUMNS]

    @property
    def avg_handle_days(self) -> float | None:
        return round(self.handle_days_total / self.replied, 1) if self.replied else None

    @property
    def grade(self) -> str:
        late = self.replied - self.replied_on_time + self.due_unreplied
        if self.overdue or late or self.escalations:
            return Grade.SLOW
        if self.open:
            return Grade.ON_TRACK
        return Grade.DONE


@dataclass(frozen=True)
class ExtraColumn:
    """A column another app adds to the evaluation (e.g. fieldwork's spot-check score). ``values`` returns
    {department id: value} for the region's departments over [start, end]; departments it names that led no
    appeal still get a row."""

    key: str
    label: str
    values: Callable[[Region, dt.date, dt.date], dict[int, object]]
    note: str = ""


EXTRA_COLUMNS: list[ExtraColumn] = []


def register_column(column: ExtraColumn) -> None:
    if all(c.key != column.key for c in EXTRA_COLUMNS):
        EXTRA_COLUMNS.append(column)


def evaluate(
    region: Region,
    start: dt.date,
    end: dt.date,
    *,
    weights: dict[str, float] | None = None,
    now: dt.datetime | None = None,
    difficulty: int | None = None,
) -> list[Row]:
    """One row per department of ``region``'s tree that led any appeal, best grade then best score first."""
    weights = weights or current_weights()
    now = now or timezone.now()
    since, until = workcalendar.day_span(start, end)
    in_region = Appeal.objects.filter(within(region, "region"), lead_department__isnull=False)
    if difficulty:
        in_region = in_region.filter(difficulty=difficulty)
    rows: dict[int, Row] = {}

    def row(dept_id: int) -> Row:
        # The department itself is loaded once for all rows at the end (in_bulk), not one query per row.
        if dept_id not in rows:
            rows[dept_id] = Row(Department(pk=dept_id))
        return rows[dept_id]

    # Working-day arithmetic depends only on local dates, so the database groups the appeals by the dates (in
    # the local time zone) and each distinct group is computed once, not once per appeal.
    # Cached per call only: the calendar's local overrides may change between calls.
    due_day = lru_cache(maxsize=None)(workcalendar.add_working_days)
    days_between = lru_cache(maxsize=None)(workcalendar.working_days_between)

    # Received, with sign punctuality and extensions. Signed on time = signed no later than the sign
    # deadline's day (deadlines are the end of a working day).
    received = (
        in_region.filter(assigned_at__gte=since, assigned_at__lt=until)
        .annotate(assigned_day=TruncDate("assigned_at"), signed_day=TruncDate("signed_at"))
        .order_by()
        .values_list("lead_department_id", "assigned_day", "signed_day", "category_id", "urgency")
        .annotate(n=Count("id"), extended=Count("id", filter=Q(extension_count__gt=0)))
    )
    sign_days: dict = {}
    categories = {c.pk: c for c in Category.objects.all()}
    today = workcalendar.local_date(now)
    for dept_id, assigned_day, signed_day, category_id, urgency, n, extended in received:
        r = row(dept_id)
        r.received += n
        r.extended += extended
        key = (category_id, urgency)
        if key not in sign_days:
            sign_days[key] = time_limit(Step.SIGN, categories.get(category_id), urgency)
        due = due_day(assigned_day, sign_days[key])
        if signed_day is not None or today > due:
            r.sign_due += n
            if signed_day is not None and signed_day <= due:
                r.sign_on_time += n

    # Replies in the period: punctuality, handling time, reopen.
    replied = (
        in_region.filter(replied_at__gte=since, replied_at__lt=until)
        .annotate(assigned_day=TruncDate("assigned_at"), replied_day=TruncDate("replied_at"))
        .order_by()
        .values_list("lead_department_id", "assigned_day", "replied_day")
        .annotate(
            n=Count("id"),
            on_time=Count(
                "id", filter=Q(handle_deadline__isnull=True) | Q(replied_at__lte=F("handle_deadline"))
            ),
            reopened=Count("id", filter=Q(reopen_count__gt=0)),
        )
    )
    for dept_id, assigned_day, replied_day, n, on_time, reopened in replied:
        r = row(dept_id)
        r.replied += n
        r.replied_on_time += on_time
        r.reopened += reopened
        if assigned_day:
            r.handle_days_total += n * days_between(assigned_day, replied_day)

    # Due in the period and still unanswered.
    for item in (
        in_region.filter(
            handle_deadline__gte=since, handle_deadline__lt=min(until, now), replied_at__isnull=True
        )
        .exclude(status__in=["withdrawn", "merged", "rejected"])
        .values("lead_department_id")
        .annotate(n=Count("id"))
    ):
        row(item["lead_department_id"]).due_unreplied += item["n"]

    # Ratings in the period.
    for item in (
        in_region.filter(closed_at__gte=since, closed_at__lt=until, auto_closed=False)
        .exclude(satisfaction="")
        .exclude(rating_contest__state="upheld")
        .values("lead_department_id")
        .annotate(
            n=Count("id"),
            resolved=Count("id", filter=Q(resolved=True)),
            satisfied=Count("id", filter=Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASIC])),
        )
    ):
        r = row(item["lead_department_id"])
        r.rated += item["n"]
        r.resolved += item["resolved"]
        r.satisfied += item["satisfied"]

    # Returns (the appeal no longer names the department afterwards, so count the events).
    for returned in (
        AppealEvent.objects.filter(
            within(region, "appeal__region"),
            kind=AppealEvent.Kind.RETURNED,
            created_at__gte=since,
            created_at__lt=until,
            actor_department__isnull=False,
        )
        .values("actor_department_id")
        .annotate(n=Count("id"))
    ):
        row(returned["actor_department_id"]).returned += returned["n"]

    # Open and overdue now.
    for item in (
        in_region.filter(status__in=[s for s in OPEN_STATUSES if s != "replied"])
        .values("lead_department_id")
        .annotate(n=Count("id"), overdue=Count("id", filter=Q(status__in=TIMED_STATUSES, deadline__lt=now)))
    ):
        r = row(item["lead_department_id"])
        r.open += item["n"]
        r.overdue += item["overdue"]

    for escalated in (
        DeadlineAlert.objects.filter(
            within(region, "appeal__region"),
            rung=DeadlineAlert.Rung.ESCALATION,
            created_at__gte=since,
            created_at__lt=until,
            department__isnull=False,
        )
        .values("department_id")
        .annotate(n=Count("id"))
    ):
        row(escalated["department_id"]).escalations += escalated["n"]

    for column in EXTRA_COLUMNS:
        for dept_id, value in column.values(region, start, end).items():
            row(dept_id).extras[column.key] = value

    departments = Department.objects.in_bulk(list(rows))
    result = list(rows.values())
    for r in result:
        r.department = departments[r.department.pk]
        r.finish(weights)
    order = {Grade.DONE: 0, Grade.ON_TRACK: 1, Grade.SLOW: 2}
    result.sort(key=lambda r: (order[r.grade], r.score is None, -(r.score or 0), r.department.name))
    return result


def current_weights() -> dict[str, float]:
    from qinqing.supervision.models import EvaluationWeights

    w = EvaluationWeights.objects.order_by("-id").first()
    if w is None:
        return dict(DEFAULT_WEIGHTS)
    return {"sign": w.sign, "on_time": w.on_time, "resolution": w.resolution, "satisfaction": w.satisfaction}


def period_bounds(kind: str, anchor: dt.date) -> tuple[dt.date, dt.date]:
    """week / month / quarter / year containing ``anchor``."""
    if kind == "week":
        start = anchor - dt.timedelta(days=anchor.weekday())
        return start, start + dt.timedelta(days=6)
    if kind == "quarter":
        first_month = 3 * ((anchor.month - 1) // 3) + 1
        start = anchor.replace(month=first_month, day=1)
        end_month = first_month + 2
        nxt = dt.date(anchor.year + (end_month == 12), end_month % 12 + 1, 1)
        return start, nxt - dt.timedelta(days=1)
    if kind == "year":
        return dt.date(anchor.year, 1, 1), dt.date(anchor.year, 12, 31)
    start = anchor.replace(day=1)
    nxt = dt.date(anchor.year + (anchor.month == 12), anchor.month % 12 + 1, 1)
    return start, nxt - dt.timedelta(days=1)
