"""Reports of the field service: meeting-series funnels, the officers' quarterly report (工作季报表) with its
coordination-item detail (协调事项明细表), the supervisors' activity report, and the spot-check columns of the
department evaluation. Each report is one function returning plain rows, used by the page, the Excel file and
the API alike, so their totals cannot differ."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, Q

from qinqing.accounts.models import User
from qinqing.appeals.models import Appeal, Satisfaction, Status
from qinqing.core import workcalendar
from qinqing.core.numbers import rate
from qinqing.fieldwork import selectors
from qinqing.fieldwork.models import (
    AppealOrigin,
    Clue,
    Meeting,
    MeetingSeries,
    ServiceAssignment,
    SpotCheck,
    Visit,
)
from qinqing.organisation.models import Region, within
from qinqing.supervision.evaluation import ExtraColumn

# ---------------------------------------------------------------- meeting series


def series_report(series: MeetingSeries) -> dict:
    """Per meeting (第N期) and in total: issues collected → measures set → resolved."""
    meetings = list(series.meetings.order_by("sequence"))
    per = {
        row["origin__meeting"]: row
        for row in Appeal.objects.filter(origin__meeting__series=series)
        .values("origin__meeting")
        .annotate(
            collected=Count("pk"),
            measures=Count("pk", filter=Q(replied_at__isnull=False)),
            resolved=Count("pk", filter=Q(resolved=True)),
        )
    }
    rows = []
    for m in meetings:
        r: Mapping[str, Any] = per.get(m.pk, {})
        rows.append(
            {
                "meeting": m,
                "collected": r.get("collected", 0),
                "measures": r.get("measures", 0),
                "resolved": r.get("resolved", 0),
            }
        )
    total = selectors.funnel(selectors.meeting_appeals([m.pk for m in meetings]))
    return {
        "series": series,
        "rows": rows,
        "total": total,
        "held": sum(m.state == Meeting.State.HELD for m in meetings),
    }


# ---------------------------------------------------------------- officers' quarterly report


@dataclass
class OfficerRow:
    officer: User | None  # None: the total row
    visits: int = 0
    covered: int = 0  # distinct enterprises visited
    assigned: int = 0  # enterprises served at the end of the period
    raised: int = 0
    closed: int = 0
    rated: int = 0
    satisfied: int = 0
    _covered: set = field(default_factory=set, repr=False)

    @property
    def name(self) -> str:
        return self.officer.display_name if self.officer else "合计"

    @property
    def satisfaction(self) -> float | None:
        return rate(self.satisfied, self.rated)


def officer_report(user: User, start: dt.date, end: dt.date) -> list[OfficerRow]:
    """工作季报表 (any period; the page offers quarters). Visits in the period; appeals raised by the officer in the
    period (registered by them or from their visits) and, of those, how many are closed and how they were rated."""
    since, until = workcalendar.day_span(start, end)
    officers = list(selectors.officers_visible_to(user).order_by("full_name", "username"))
    rows = {o.pk: OfficerRow(o) for o in officers}
    for officer_id, enterprise_id in Visit.objects.filter(
        officer__in=rows, visited_on__gte=start, visited_on__lte=end
    ).values_list("officer_id", "enterprise_id"):
        rows[officer_id].visits += 1
        rows[officer_id]._covered.add(enterprise_id)
    for item in (
        ServiceAssignment.objects.filter(selectors.current(end), user__in=rows)
        .exclude(role="linked_leader")
        .values("user_id")
        .annotate(n=Count("enterprise", distinct=True))
    ):
        rows[item["user_id"]].assigned = item["n"]
    for origin in (
        AppealOrigin.objects.filter(
            officer__in=rows, appeal__submitted_at__gte=since, appeal__submitted_at__lt=until
        )
        .values("officer_id")
        .annotate(
            raised=Count("pk"),
            closed=Count("pk", filter=Q(appeal__status=Status.CLOSED)),
            rated=Count("pk", filter=Q(appeal__status=Status.CLOSED) & ~Q(appeal__satisfaction="")),
            satisfied=Count(
                "pk", filter=Q(appeal__satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASIC])
            ),
        )
    ):
        r = rows[origin["officer_id"]]
        r.raised, r.closed, r.rated, r.satisfied = (
            origin["raised"],
            origin["closed"],
            origin["rated"],
            origin["satisfied"],
        )
    result = list(rows.values())
    total = OfficerRow(None)
    for r in result:
        r.covered = len(r._covered)
        for name in ("visits", "assigned", "raised", "closed", "rated", "satisfied"):
            setattr(total, name, getattr(total, name) + getattr(r, name))
        total._covered |= r._covered
    total.covered = len(total._covered)
    return [*result, total]


def coordination_items(user: User, start: dt.date, end: dt.date) -> list[Appeal]:
    """协调事项明细表: every appeal the officers raised in the period, with its handling and result."""
    since, until = workcalendar.day_span(start, end)
    officers = selectors.officers_visible_to(user)
    return list(
        Appeal.objects.filter(origin__officer__in=officers, submitted_at__gte=since, submitted_at__lt=until)
        .select_related("enterprise", "lead_department", "origin__officer", "category")
        .prefetch_related("co_departments")
        .order_by("submitted_at", "id")
    )


def officer_of(item: Appeal) -> User:
    """The officer who raised a coordination item (``coordination_items`` selects only appeals with one)."""
    officer = item.origin.officer
    assert officer is not None, "coordination_items selects appeals an officer raised"
    return officer


def item_result(appeal: Appeal) -> str:
    if appeal.reply_result:
        return appeal.reply_result
    ended: dict[str, str] = {Status.REJECTED: "不予受理", Status.WITHDRAWN: "已撤回", Status.MERGED: "已并案"}
    return ended.get(appeal.status, "办理中")


# ---------------------------------------------------------------- supervisors' activity


def supervisor_report(user: User, start: dt.date, end: dt.date) -> list[dict]:
    since, until = workcalendar.day_span(start, end)
    sups = list(selectors.supervisors_visible_to(user))
    clues = dict(
        Clue.objects.filter(supervisor__in=sups, created_at__gte=since, created_at__lt=until)
        .values("supervisor_id")
        .annotate(n=Count("pk"))
        .values_list("supervisor_id", "n")
    )
    appeals = dict(
        AppealOrigin.objects.filter(
            supervisor__in=sups, appeal__submitted_at__gte=since, appeal__submitted_at__lt=until
        )
        .values("supervisor_id")
        .annotate(n=Count("pk"))
        .values_list("supervisor_id", "n")
    )
    checks = {
        r["supervisor_id"]: r
        for r in SpotCheck.objects.filter(supervisor__in=sups, checked_on__gte=start, checked_on__lte=end)
        .values("supervisor_id")
        .annotate(n=Count("pk"), avg=Avg("score"))
    }
    rows = []
    for s in sups:
        c: Mapping[str, Any] = checks.get(s.pk, {})
        rows.append(
            {
                "supervisor": s,
                "clues": clues.get(s.pk, 0),
                "appeals": appeals.get(s.pk, 0),
                "checks": c.get("n", 0),
                "avg_score": round(c["avg"], 1) if c.get("avg") is not None else None,
            }
        )
    return rows


# ---------------------------------------------------------------- in the department evaluation


def _spot_checks(region: Region, start: dt.date, end: dt.date) -> dict[int, object]:
    return {
        r["department_id"]: round(r["avg"], 1)
        for r in SpotCheck.objects.filter(
            within(region, "department__region"), checked_on__gte=start, checked_on__lte=end
        )
        .values("department_id")
        .annotate(avg=Avg("score"))
    }


def _spot_check_counts(region: Region, start: dt.date, end: dt.date) -> dict[int, object]:
    return dict(
        SpotCheck.objects.filter(
            within(region, "department__region"), checked_on__gte=start, checked_on__lte=end
        )
        .values("department_id")
        .annotate(n=Count("pk"))
        .values_list("department_id", "n")
    )


SPOT_CHECK_COLUMN = ExtraColumn(
    key="spot_check_score",
    label="抽查得分",
    values=_spot_checks,
    note="本期特约监督员对该单位抽查的平均分（百分制：政策落实、服务到位、办事便利、办事效率、工作作风各20分），不计入综合得分。",
)
SPOT_CHECK_COUNT_COLUMN = ExtraColumn(key="spot_checks", label="抽查次数", values=_spot_check_counts)
