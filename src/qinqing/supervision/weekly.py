"""每周督办: one week of a region — new, closed, open by department with lights, every overdue item with its
working days overdue, and the supervision orders of the week. Lights are taken at the end of the week (or now,
for the current week) from the appeals' current deadlines."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from qinqing.appeals import measures
from qinqing.appeals.models import TIMED_STATUSES, Appeal
from qinqing.core import workcalendar
from qinqing.organisation.models import within
from qinqing.supervision.models import SupervisionOrder


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    start = day - dt.timedelta(days=day.weekday())
    return start, start + dt.timedelta(days=6)


def report(region, day: dt.date, now: dt.datetime | None = None) -> dict:
    start, end = week_of(day)
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tz)
    as_of = min(now or timezone.now(), until)
    appeals = Appeal.objects.filter(within(region, "region"))
    new = appeals.filter(submitted_at__gte=since, submitted_at__lt=until).count()
    closed = appeals.filter(closed_at__gte=since, closed_at__lt=until).count()
    open_rows = (
        appeals.filter(status__in=TIMED_STATUSES, submitted_at__lt=as_of)
        .select_related("lead_department", "enterprise", "category")
        .order_by("deadline")
    )
    by_dept: dict[str, dict[str, int]] = defaultdict(lambda: {"green": 0, "yellow": 0, "red": 0, "total": 0})
    overdue = []
    for a in open_rows:
        light = a.light(as_of) or "green"
        name = a.lead_department.name if a.lead_department is not None else "营商办（待受理）"
        by_dept[name][light] += 1
        by_dept[name]["total"] += 1
        if light == "red" and a.deadline is not None:  # red: past its deadline
            days = workcalendar.working_days_between(
                workcalendar.local_date(a.deadline) + dt.timedelta(days=1),
                workcalendar.local_date(as_of) + dt.timedelta(days=1),
            )
            overdue.append({"appeal": a, "department": name, "days_overdue": max(1, days)})
    orders = (
        SupervisionOrder.objects.filter(
            within(region, "department__region"), issued_at__gte=since, issued_at__lt=until
        )
        .select_related("department")
        .prefetch_related("appeals")
    )
    # The three headline figures of the week, by the definitions every report shares (appeals.measures).
    period = measures.Period(start, end, now or timezone.now())
    counted = measures.count(appeals, period, measures.HEADLINE)
    figures = []
    for key in measures.HEADLINE:
        figures.append(
            {
                **measures.figure(key, *counted[key]),
                "num_url": measures.drill_url(key, measures.NUM, start, end),
                "den_url": measures.drill_url(key, measures.DEN, start, end),
            }
        )
    return {
        "figures": figures,
        "start": start,
        "end": end,
        "as_of": as_of,
        "new": new,
        "closed": closed,
        "departments": sorted(by_dept.items(), key=lambda kv: (-kv[1]["red"], -kv[1]["yellow"], kv[0])),
        "overdue": sorted(overdue, key=lambda o: -o["days_overdue"]),
        "orders": list(orders),
    }
