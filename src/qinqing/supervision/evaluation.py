"""Department evaluation for any period, with the definitions of DESIGN.md (shown on the page as written here).

All measures count the appeals a department leads (主办). Rates are None when their denominator is zero, and
the composite score re-weights over the rates that exist, so a department is not punished for having no ratings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from qinqing.appeals import measures
from qinqing.appeals.measures import DEN, NUM
from qinqing.appeals.models import OPEN_STATUSES, TIMED_STATUSES, Appeal, AppealEvent
from qinqing.core import workcalendar
from qinqing.core.numbers import rate
from qinqing.organisation.models import Department, Region, within
from qinqing.supervision.models import DeadlineAlert

DEFINITIONS = [
    ("收件数", "期内分派给本单位主办的诉求件数（按分派时间）"),
    *measures.definitions(),
    ("在办 / 超期", "统计时点本单位主办、尚未答复的件数 / 其中已超过当前环节时限的件数"),
    ("升级通报", "期内因超期被升级通报的件数（计入等次）"),
    ("难度", "分派时标注普通、较难、疑难；可只比较同一难度的诉求，使各单位同类相比"),
    (
        "排名",
        "只对已结束的期间排名：先按等次（完成、如期推进、进展缓慢），同一等次内按综合得分；"
        "期内收件少于最少件数或没有可评指标的单位列为“样本不足”，不参与排名",
    ),
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
    counts: dict[str, list[int]] = field(default_factory=dict)  # measure key -> [numerator, denominator]
    handle_days_total: int = 0
    open: int = 0
    overdue: int = 0
    escalations: int = 0
    score: float | None = None
    rates: dict = field(default_factory=dict)
    extras: dict = field(default_factory=dict)  # key -> value of the registered extra columns
    rank: int | None = None  # None: not ranked (the period has not ended, or too few appeals to judge)
    unranked_reason: str = ""

    def num(self, key: str) -> int:
        return self.counts.get(key, [0, 0])[0]

    def den(self, key: str) -> int:
        return self.counts.get(key, [0, 0])[1]

    @property
    def received(self) -> int:
        return self.den("extension")

    @property
    def replied(self) -> int:
        return self.den("reopen")

    @property
    def rated(self) -> int:
        return self.den("satisfaction")

    @property
    def returned(self) -> int:
        return self.num("return")

    def finish(self, weights: dict[str, float]) -> None:
        self.rates = {
            key: rate(self.num(key), self.den(key)) for key, m in measures.MEASURES.items() if not m.average
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
    def late(self) -> int:
        return self.den("on_time") - self.num("on_time")

    @property
    def judged(self) -> bool:
        """Anything to judge: a rate with a denominator, or an open or overdue appeal."""
        return any(self.den(k) for k in self.counts) or bool(self.open or self.escalations)

    @property
    def grade(self) -> str:
        if self.overdue or self.late or self.escalations:
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
    """One row per department of ``region``'s tree that led any appeal. Ranked (``rank``) only when the period
    has ended, and only departments with at least QINQING_RANKING_MIN_APPEALS appeals received and a score;
    ranked rows come first (best grade, then best score), then the others, those with nothing to judge last."""
    weights = weights or current_weights()
    now = now or timezone.now()
    period = measures.Period(start, end, now)
    since, until = period.since, period.until
    in_region = Appeal.objects.filter(within(region, "region"), lead_department__isnull=False)
    if difficulty:
        in_region = in_region.filter(difficulty=difficulty)
    rows: dict[int, Row] = {}

    def row(dept_id: int) -> Row:
        # The department itself is loaded once for all rows at the end (in_bulk), not one query per row.
        if dept_id not in rows:
            rows[dept_id] = Row(Department(pk=dept_id))
        return rows[dept_id]

    # Every measure counted by the definitions of ``appeals.measures``: one grouped query per denominator
    # (measures sharing a denominator share the query), the numerators as filtered counts.
    groups: list[list[measures.Measure]] = []
    for m in measures.MEASURES.values():
        if m.custom is not None or m.average:
            continue
        group = next((g for g in groups if g[0].den == m.den), None)
        if group is None:
            groups.append([m])
        else:
            group.append(m)
    returned_own = _returned_by(OuterRef("lead_department_id"), period)
    for group in groups:
        annotations = {f"num_{m.key}": Count("id", filter=m.q(NUM, period)) for m in group}
        if group[0].key == "extension":  # the received appeals: those its own lead returned in the period
            annotations["returned_own"] = Count("id", filter=Q(Exists(returned_own)))
        grouped: Iterable[Any] = (
            in_region.filter(group[0].q(DEN, period))
            .values("lead_department_id")
            .annotate(den=Count("id"), **annotations)
            .order_by()
        )
        for item in grouped:
            r = row(item["lead_department_id"])
            for m in group:
                r.counts[m.key] = [item[f"num_{m.key}"], item["den"]]
            if "returned_own" in item:
                r.counts["return"] = [0, item["den"] - item["returned_own"]]

    # Returns (the appeal no longer names the department afterwards, so the department is the event's): the
    # appeals each department returned in the period, over those assigned to it or returned by it.
    returns = AppealEvent.objects.filter(
        within(region, "appeal__region"),
        kind=AppealEvent.Kind.RETURNED,
        created_at__gte=since,
        created_at__lt=until,
        actor_department__isnull=False,
    )
    if difficulty:
        returns = returns.filter(appeal__difficulty=difficulty)
    for returned in (
        returns.values("actor_department_id").annotate(n=Count("appeal_id", distinct=True)).order_by()
    ):
        r = row(returned["actor_department_id"])
        num, den = r.counts.get("return", [0, 0])
        r.counts["return"] = [num + returned["n"], den + returned["n"]]

    # 平均办理时长: working-day arithmetic depends only on local dates, so the database groups the replied
    # appeals by the dates (in the local time zone) and each distinct pair is computed once.
    # Cached per call only: the calendar's local overrides may change between calls.
    days_between = lru_cache(maxsize=None)(workcalendar.working_days_between)
    handle = measures.MEASURES["handle_days"]
    for dept_id, assigned_day, replied_day, n in (
        in_region.filter(handle.q(DEN, period))
        .annotate(assigned_day=TruncDate("assigned_at"), replied_day=TruncDate("replied_at"))
        .order_by()
        .values_list("lead_department_id", "assigned_day", "replied_day")
        .annotate(n=Count("id"))
    ):
        if assigned_day:
            row(dept_id).handle_days_total += n * days_between(assigned_day, replied_day)

    # Open and overdue now.
    for still_open in (
        in_region.filter(status__in=[s for s in OPEN_STATUSES if s != "replied"])
        .values("lead_department_id")
        .annotate(n=Count("id"), overdue=Count("id", filter=Q(status__in=TIMED_STATUSES, deadline__lt=now)))
    ):
        r = row(still_open["lead_department_id"])
        r.open += still_open["n"]
        r.overdue += still_open["overdue"]

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
    minimum = settings.QINQING_RANKING_MIN_APPEALS
    for r in result:
        r.department = departments[r.department.pk]
        r.finish(weights)
        if not r.judged or r.score is None:
            r.unranked_reason = "无可评指标"
        elif r.received < minimum:
            r.unranked_reason = "样本不足"
        elif not period.finished:
            r.unranked_reason = "本期未结束"
    order = {Grade.DONE: 0, Grade.ON_TRACK: 1, Grade.SLOW: 2}
    result.sort(
        key=lambda r: (
            bool(r.unranked_reason) and r.unranked_reason != "本期未结束",
            not r.judged or r.score is None,
            order[r.grade],
            -(r.score or 0),
            r.department.name,
        )
    )
    rank = 0
    for r in result:
        if not r.unranked_reason:
            rank += 1
            r.rank = rank
    return result


def totals(
    region: Region,
    start: dt.date,
    end: dt.date,
    *,
    now: dt.datetime | None = None,
    difficulty: int | None = None,
) -> dict[str, list[int]]:
    """The region's own figures (合计) by the same definitions: {measure key: [numerator, denominator]}."""
    return measures.count(
        Appeal.objects.filter(within(region, "region")).filter(
            Q(difficulty=difficulty) if difficulty else Q()
        ),
        measures.Period(start, end, now or timezone.now()),
        [k for k, m in measures.MEASURES.items() if not m.average],
    )


def _returned_by(department, period: measures.Period):
    return AppealEvent.objects.filter(
        appeal=OuterRef("pk"),
        kind=AppealEvent.Kind.RETURNED,
        actor_department_id=department,
        created_at__gte=period.since,
        created_at__lt=period.until,
    )


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
