"""The reporting periods of a plan's cadence (every half month: the 1st to the 15th and the 16th to the month's
end; every month), and when a period's report is due: ``report_grace_days`` working days after it ends."""

from __future__ import annotations

import datetime as dt

from qinqing.core import workcalendar
from qinqing.plans.models import Cadence, Plan


def _month_end(day: dt.date) -> dt.date:
    nxt = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def period_of(cadence: str, day: dt.date) -> tuple[dt.date, dt.date]:
    if cadence == Cadence.MONTH:
        return day.replace(day=1), _month_end(day)
    if day.day <= 15:
        return day.replace(day=1), day.replace(day=15)
    return day.replace(day=16), _month_end(day)


def next_period(cadence: str, start: dt.date) -> tuple[dt.date, dt.date]:
    _, end = period_of(cadence, start)
    return period_of(cadence, end + dt.timedelta(days=1))


def first_period(plan: Plan) -> tuple[dt.date, dt.date] | None:
    """The first whole period after approval (the period the plan was approved in is not asked for)."""
    if plan.approved_on is None:
        return None
    start, end = period_of(plan.cadence, plan.approved_on)
    if start == plan.approved_on:
        return start, end
    return next_period(plan.cadence, start)


def report_due(plan: Plan, period_end: dt.date) -> dt.date:
    return workcalendar.add_working_days(period_end, plan.report_grace_days)


def finished_periods(plan: Plan, today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The periods whose report window has closed before ``today`` (their report is late if missing)."""
    first = first_period(plan)
    out: list[tuple[dt.date, dt.date]] = []
    if first is None:
        return out
    start, end = first
    while end < today and report_due(plan, end) < today:
        out.append((start, end))
        start, end = next_period(plan.cadence, start)
    return out


def period_for_filing(plan: Plan, today: dt.date, filed: set[dt.date]) -> tuple[dt.date, dt.date]:
    """The period a report filed ``today`` counts for: the period just ended while its window is open and it has
    no report yet, else the current period. ``filed``: period starts already reported on."""
    current = period_of(plan.cadence, today)
    previous = period_of(plan.cadence, current[0] - dt.timedelta(days=1))
    first = first_period(plan)
    if (
        first is not None
        and previous[0] >= first[0]
        and previous[0] not in filed
        and today <= report_due(plan, previous[1])
    ):
        return previous
    return current
