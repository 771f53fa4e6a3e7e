"""Keeping the dashboard summaries current: every submission day touched by an appeal change since the last
refresh is recomputed from the appeals (delete + insert of that day's rows), under a row lock so two refreshes
never interleave. The first refresh builds everything. The background job ``dashboard.tasks.refresh_rollup``
runs it every minute (``refresh_dashboard`` by hand); the dashboard only reads, and says how fresh its figures
are (``RollupState.refreshed_at``)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from qinqing.appeals.models import Appeal, Satisfaction
from qinqing.dashboard.models import DayDimensionStat, DayRegionStat, RollupState

# Rows whose transaction committed a little after a refresh can carry an updated_at just below its watermark:
# each refresh re-reads this window behind the watermark.
OVERLAP = dt.timedelta(minutes=2)
DIMENSIONS = {"category": "category_id", "channel": "channel", "lead": "lead_department_id"}


def _day():
    return TruncDate("submitted_at", tzinfo=timezone.get_current_timezone())


def refresh() -> int:
    """Bring the summaries up to date; returns the number of days recomputed (-1: all, the first time)."""
    with transaction.atomic():
        state, _ = RollupState.objects.get_or_create(pk=1)
        state = RollupState.objects.select_for_update().get(pk=1)
        state.refreshed_at = timezone.now()
        newest = Appeal.objects.aggregate(m=Max("updated_at"))["m"]
        if newest is None or (state.watermark is not None and newest <= state.watermark):
            state.save(update_fields=["refreshed_at"])
            return 0
        appeals = Appeal.objects.all()
        if state.watermark is not None:
            # >=: rows written in the same instant as the watermark may have arrived after the last refresh.
            changed = (
                Appeal.objects.filter(updated_at__gte=state.watermark)
                .annotate(d=_day())
                .values_list("d", flat=True)
                .distinct()
            )
            days = set(changed)
            if not days:
                state.save(update_fields=["refreshed_at"])
                return 0
            appeals = appeals.annotate(d=_day()).filter(d__in=days)
            DayRegionStat.objects.filter(day__in=days).delete()
            DayDimensionStat.objects.filter(day__in=days).delete()
        else:
            days = None
            DayRegionStat.objects.all().delete()
            DayDimensionStat.objects.all().delete()
            appeals = appeals.annotate(d=_day())
        rows = appeals.values("d", "region_id").annotate(
            collected=Count("id"),
            closed=Count("id", filter=Q(status="closed")),
            measures=Count("id", filter=Q(replied_at__isnull=False)),
            resolved=Count("id", filter=Q(resolved=True)),
            on_time=Count("id", filter=Q(replied_at__isnull=False, replied_at__lte=F("handle_deadline"))),
            rated=Count("id", filter=~Q(satisfaction="") & Q(auto_closed=False)),
            satisfied=Count(
                "id",
                filter=Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASIC], auto_closed=False),
            ),
        )
        DayRegionStat.objects.bulk_create(
            [
                DayRegionStat(
                    day=r["d"],
                    region_id=r["region_id"],
                    collected=r["collected"],
                    closed=r["closed"],
                    measures=r["measures"],
                    resolved=r["resolved"],
                    on_time=r["on_time"],
                    rated=r["rated"],
                    satisfied=r["satisfied"],
                )
                for r in rows.order_by()
            ],
            batch_size=5000,
        )
        for dimension, field in DIMENSIONS.items():
            grouped = (
                appeals.exclude(**{f"{field}__isnull": True})
                .values("d", "region_id", field)
                .annotate(n=Count("id"))
            )
            DayDimensionStat.objects.bulk_create(
                [
                    DayDimensionStat(
                        day=r["d"],
                        region_id=r["region_id"],
                        dimension=dimension,
                        key=str(r[field]),
                        collected=r["n"],
                    )
                    for r in grouped.order_by()
                ],
                batch_size=5000,
            )
        state.watermark = newest
        state.save(update_fields=["watermark", "refreshed_at"])
        return len(days) if days is not None else -1


def refreshed_at() -> dt.datetime | None:
    """When the summaries were last brought up to date; None before the first refresh."""
    return RollupState.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()
