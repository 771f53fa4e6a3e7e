"""驾驶舱 figures for a region and period, each with the link to the appeal list behind it.

Read from the daily summaries (``rollup.py``, refreshed every minute by the worker: a read never writes, so the
figures may trail the lists they drill down to by that minute, and the page says as of when), filtered to the
regions the user may see; only 'overdue now' is a live (indexed) query.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.accounts.scope import region_of
from qinqing.appeals import measures
from qinqing.appeals.models import TIMED_STATUSES, Category, Channel
from qinqing.appeals.selectors import appeals_visible_to
from qinqing.core.errors import InvalidInput, NotPermitted
from qinqing.core.numbers import rate
from qinqing.dashboard.models import DayDimensionStat, DayRegionStat
from qinqing.dashboard.rollup import measure_counts, refreshed_at
from qinqing.organisation.models import Department, Region


def figures(
    user: User, start: dt.date, end: dt.date, *, trend: str = "week", now: dt.datetime | None = None
) -> dict:
    if user.role not in (Role.DISPATCHER, Role.LEADER) or not user.region_id:
        raise NotPermitted("只有营商办调度员或领导可以查看驾驶舱")
    if start > end:
        raise InvalidInput("开始日期不能晚于结束日期", {"start": ["开始日期不能晚于结束日期"]})
    region = region_of(user)
    now = now or timezone.now()
    base = appeals_visible_to(user)
    list_url = reverse("appeal_list")
    span = {"tab": "all", "date_from": start.isoformat(), "date_to": end.isoformat()}

    def link(**extra) -> str:
        return f"{list_url}?{urlencode({**span, **extra})}"

    as_of = refreshed_at()
    region_ids = list(Region.objects.within(region).values_list("id", flat=True))
    stats = DayRegionStat.objects.filter(day__gte=start, day__lte=end, region_id__in=region_ids)
    sums = {k: Sum(k) for k in ("collected", "closed", "measures", "resolved")}
    head = {k: v or 0 for k, v in stats.aggregate(**sums).items()}
    overdue_now = base.filter(status__in=TIMED_STATUSES, deadline__lt=now).count()
    # The rates by the definitions of appeals.measures, from their daily summaries (the same parts the
    # evaluation and the weekly report count live).
    counted = measure_counts(region_ids, measures.Period(start, end, now))
    headline: list[dict[str, Any]] = [
        {"key": "collected", "label": "收集诉求", "value": head["collected"], "url": link()},
        {"key": "closed", "label": "已办结", "value": head["closed"], "url": link(stage="closed")},
    ]
    for key in measures.HEADLINE:
        num, den = counted[key]
        headline.append(
            {
                **measures.figure(key, num, den),
                "rate": rate(num, den),
                "url": measures.drill_url(key, measures.DEN, start, end),
                "num_url": measures.drill_url(key, measures.NUM, start, end),
                "den_url": measures.drill_url(key, measures.DEN, start, end),
            }
        )
    headline.append(
        {"key": "overdue", "label": "当前超期", "value": overdue_now, "url": f"{list_url}?tab=all&light=red"}
    )
    for k in headline:
        if "rate" not in k:
            k["display"] = str(k["value"])
    funnel = [
        {"label": "收集问题", "value": head["collected"], "url": link()},
        {
            "label": "落实措施",
            "value": head["measures"],
            "url": link(stage="measures"),
            "rate": rate(head["measures"], head["collected"]),
        },
        {
            "label": "解决问题",
            "value": head["resolved"],
            "url": link(stage="resolved"),
            "rate": rate(head["resolved"], head["collected"]),
        },
    ]

    buckets: dict[dt.date, list[int]] = {}
    for day, n, closed in stats.values_list("day", "collected", "closed"):
        first = day.replace(day=1) if trend == "month" else day - dt.timedelta(days=day.weekday())
        acc = buckets.setdefault(first, [0, 0])
        acc[0] += n
        acc[1] += closed
    trend_rows = []
    for first in sorted(buckets):
        n, closed = buckets[first]
        last = (
            (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            if trend == "month"
            else first + dt.timedelta(days=6)
        )
        trend_rows.append(
            {
                "label": f"{first:%Y-%m}" if trend == "month" else f"{first:%m-%d}",
                "value": n,
                "closed": closed,
                "url": f"{list_url}?{urlencode({'tab': 'all', 'date_from': max(first, start).isoformat(), 'date_to': min(last, end).isoformat()})}",
            }
        )

    def dimension(name: str, since: dt.date = start) -> list[tuple[str, int]]:
        rows = (
            DayDimensionStat.objects.filter(
                dimension=name, day__gte=since, day__lte=end, region_id__in=region_ids
            )
            .values("key")
            .annotate(n=Sum("collected"))
            .order_by("-n", "key")
        )
        return [(r["key"], r["n"]) for r in rows if r["n"]]

    category_names = dict(Category.objects.values_list("id", "name"))
    department_names = dict(Department.objects.values_list("id", "name"))
    by_category = [
        {"label": category_names.get(int(k), k), "value": n, "url": link(category=k)}
        for k, n in dimension("category")
    ]
    channel_names = dict(Channel.choices)
    by_channel = [
        {"label": channel_names.get(k, k), "value": n, "url": link(channel=k)}
        for k, n in dimension("channel")
    ]
    by_department = [
        {"label": department_names.get(int(k), k), "value": n, "url": link(lead=k)}
        for k, n in dimension("lead")[:15]
    ]
    children = list(Region.objects.filter(parent_id=user.region_id).order_by("code"))
    per_region = dict(stats.values("region_id").annotate(n=Sum("collected")).values_list("region_id", "n"))
    nodes = Region.objects.in_bulk(list(per_region))
    by_region = []
    for child in children:
        n = sum(v for pk, v in per_region.items() if pk in nodes and nodes[pk].is_within(child))
        by_region.append({"label": child.name, "value": n, "url": link(region=child.pk)})
    own = sum(
        v
        for pk, v in per_region.items()
        if not (pk in nodes and any(nodes[pk].is_within(c) for c in children))
    )
    if own:
        by_region.append({"label": f"{region.name}本级", "value": own, "url": link(region=user.region_id)})

    recent_start = (now - dt.timedelta(days=30)).date()
    top_recent = (
        [
            {
                "label": category_names.get(int(k), k),
                "value": n,
                "url": f"{list_url}?{urlencode({'tab': 'all', 'category': k, 'date_from': recent_start.isoformat()})}",
            }
            for k, n in dimension("category", since=recent_start)[:5]
        ]
        if recent_start <= end
        else []
    )
    return {
        "as_of": as_of,
        "start": start,
        "end": end,
        "trend_kind": trend,
        "headline": headline,
        "funnel": funnel,
        "trend": trend_rows,
        "by_category": by_category,
        "by_channel": by_channel,
        "by_department": by_department,
        "by_region": by_region,
        "top_recent": top_recent,
    }
