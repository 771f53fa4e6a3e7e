"""驾驶舱 figures for a region and period, each with the link to the appeal list behind it.

Aggregate queries only (one per block), over ``appeals_visible_to`` so a district office sees its district.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth, TruncWeek
from django.urls import reverse
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.appeals.models import TIMED_STATUSES, Channel, Satisfaction
from qinqing.appeals.selectors import appeals_visible_to
from qinqing.core.errors import InvalidInput, NotPermitted
from qinqing.organisation.models import Region


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def figures(
    user: User, start: dt.date, end: dt.date, *, trend: str = "week", now: dt.datetime | None = None
) -> dict:
    if user.role not in (Role.DISPATCHER, Role.LEADER) or not user.region_id:
        raise NotPermitted("只有营商办调度员或领导可以查看驾驶舱")
    if start > end:
        raise InvalidInput("开始日期不能晚于结束日期", {"start": ["开始日期不能晚于结束日期"]})
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tz)
    base = appeals_visible_to(user)
    period = base.filter(submitted_at__gte=since, submitted_at__lt=until)
    list_url = reverse("appeal_list")
    span = {"tab": "all", "date_from": start.isoformat(), "date_to": end.isoformat()}

    def link(**extra) -> str:
        return f"{list_url}?{urlencode({**span, **extra})}"

    head = period.aggregate(
        collected=Count("id"),
        closed=Count("id", filter=Q(status="closed")),
        measures=Count("id", filter=Q(replied_at__isnull=False)),
        resolved=Count("id", filter=Q(resolved=True)),
        on_time=Count("id", filter=Q(replied_at__isnull=False, replied_at__lte=F("handle_deadline"))),
        rated=Count("id", filter=~Q(satisfaction="") & Q(auto_closed=False)),
        satisfied=Count(
            "id", filter=Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASIC], auto_closed=False)
        ),
    )
    overdue_now = base.filter(status__in=TIMED_STATUSES, deadline__lt=now).count()
    headline = [
        {"key": "collected", "label": "收集诉求", "value": head["collected"], "url": link()},
        {"key": "closed", "label": "已办结", "value": head["closed"], "url": link(stage="closed")},
        {
            "key": "closure_rate",
            "label": "办结率",
            "rate": _rate(head["closed"], head["collected"]),
            "url": link(stage="closed"),
        },
        {
            "key": "on_time_rate",
            "label": "按期答复率",
            "rate": _rate(head["on_time"], head["measures"]),
            "url": link(stage="measures"),
        },
        {
            "key": "satisfaction_rate",
            "label": "满意率",
            "rate": _rate(head["satisfied"], head["rated"]),
            "url": link(status="closed"),
        },
        {"key": "overdue", "label": "当前超期", "value": overdue_now, "url": f"{list_url}?tab=all&light=red"},
    ]
    for k in headline:
        if "rate" in k:
            k["display"] = "—" if k["rate"] is None else f"{k['rate'] * 100:.1f}%"
        else:
            k["display"] = str(k["value"])
    funnel = [
        {"label": "收集问题", "value": head["collected"], "url": link()},
        {
            "label": "落实措施",
            "value": head["measures"],
            "url": link(stage="measures"),
            "rate": _rate(head["measures"], head["collected"]),
        },
        {
            "label": "解决问题",
            "value": head["resolved"],
            "url": link(stage="resolved"),
            "rate": _rate(head["resolved"], head["collected"]),
        },
    ]

    trunc = TruncMonth if trend == "month" else TruncWeek
    series = (
        period.annotate(bucket=trunc("submitted_at", tzinfo=tz))
        .values("bucket")
        .annotate(n=Count("id"), closed=Count("id", filter=Q(status="closed")))
        .order_by("bucket")
    )
    trend_rows = []
    for row in series:
        first = (
            timezone.localtime(row["bucket"]).date()
            if isinstance(row["bucket"], dt.datetime)
            else row["bucket"]
        )
        last = (
            (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            if trend == "month"
            else first + dt.timedelta(days=6)
        )
        trend_rows.append(
            {
                "label": f"{first:%Y-%m}" if trend == "month" else f"{first:%m-%d}",
                "value": row["n"],
                "closed": row["closed"],
                "url": f"{list_url}?{urlencode({'tab': 'all', 'date_from': max(first, start).isoformat(), 'date_to': min(last, end).isoformat()})}",
            }
        )

    by_category = [
        {"label": r["category__name"], "value": r["n"], "url": link(category=r["category_id"])}
        for r in period.values("category_id", "category__name").annotate(n=Count("id")).order_by("-n")
    ]
    channel_names = dict(Channel.choices)
    by_channel = [
        {
            "label": channel_names.get(r["channel"], r["channel"]),
            "value": r["n"],
            "url": link(channel=r["channel"]),
        }
        for r in period.values("channel").annotate(n=Count("id")).order_by("-n")
    ]
    by_department = [
        {"label": r["lead_department__name"], "value": r["n"], "url": link(lead=r["lead_department_id"])}
        for r in period.filter(lead_department__isnull=False)
        .values("lead_department_id", "lead_department__name")
        .annotate(n=Count("id"))
        .order_by("-n")[:15]
    ]
    children = list(Region.objects.filter(parent_id=user.region_id).order_by("code"))
    per_region = dict(period.values_list("region_id").annotate(n=Count("id")).values_list("region_id", "n"))
    paths = dict(Region.objects.filter(pk__in=per_region).values_list("pk", "path"))
    by_region = []
    for child in children:
        n = sum(v for pk, v in per_region.items() if paths.get(pk, "").startswith(child.path))
        by_region.append({"label": child.name, "value": n, "url": link(region=child.pk)})
    own = sum(
        v for pk, v in per_region.items() if not any(paths.get(pk, "").startswith(c.path) for c in children)
    )
    if own:
        by_region.append(
            {"label": f"{user.region.name}本级", "value": own, "url": link(region=user.region_id)}
        )

    recent_start = (now - dt.timedelta(days=30)).date()
    recent = base.filter(submitted_at__gte=now - dt.timedelta(days=30))
    top_recent = [
        {
            "label": r["category__name"],
            "value": r["n"],
            "url": f"{list_url}?{urlencode({'tab': 'all', 'category': r['category_id'], 'date_from': recent_start.isoformat()})}",
        }
        for r in recent.values("category_id", "category__name").annotate(n=Count("id")).order_by("-n")[:5]
    ]
    return {
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
