"""Keeping the dashboard summaries current: every submission day touched by an appeal change since the last
refresh is recomputed from the appeals (delete + insert of that day's rows), under a row lock so two refreshes
never interleave. The first refresh builds everything. The background job ``dashboard.tasks.refresh_rollup``
runs it every minute (``refresh_dashboard`` by hand); the dashboard only reads, and says how fresh its figures
are (``RollupState.refreshed_at``)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from qinqing.appeals import measures
from qinqing.appeals.models import Appeal
from qinqing.dashboard.models import DayDimensionStat, DayMeasureStat, DayRegionStat, RollupState

# Rows whose transaction committed a little after a refresh can carry an updated_at just below its watermark:
# each refresh re-reads this window behind the watermark.
OVERLAP = dt.timedelta(minutes=2)
# The measures the dashboard shows, kept in the summaries by the definitions of ``appeals.measures``.
SUMMARISED = measures.HEADLINE
assert all(measures.MEASURES[k].summarised for k in SUMMARISED)
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
            DayMeasureStat.objects.filter(day__in=days).delete()
        else:
            days = None
            DayRegionStat.objects.all().delete()
            DayDimensionStat.objects.all().delete()
            DayMeasureStat.objects.all().delete()
            appeals = appeals.annotate(d=_day())
        rows = appeals.values("d", "region_id").annotate(
            collected=Count("id"),
            closed=Count("id", filter=Q(status="closed")),
            measures=Count("id", filter=Q(replied_at__isnull=False)),
            resolved=Count("id", filter=Q(resolved=True)),
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
        _measure_parts(appeals)
        state.watermark = newest
        state.save(update_fields=["watermark", "refreshed_at"])
        return len(days) if days is not None else -1


def _measure_parts(appeals) -> None:
    """The parts of the dashboard's measures by submission day, region and the day each part counts on."""
    tz = timezone.get_current_timezone()
    for key in SUMMARISED:
        m = measures.MEASURES[key]
        for side in (measures.NUM, measures.DEN):
            for i, part in enumerate(m.parts(side)):
                grouped = (
                    appeals.filter(part.where, lead_department__isnull=False)
                    .exclude(**{f"{part.moment}__isnull": True})
                    .annotate(counted=TruncDate(part.moment, tzinfo=tz))
                    .values("d", "region_id", "counted")
                    .annotate(n=Count("id"))
                )
                DayMeasureStat.objects.bulk_create(
                    [
                        DayMeasureStat(
                            day=r["d"],
                            region_id=r["region_id"],
                            measure=key,
                            side=side,
                            part=i,
                            counted=r["counted"],
                            n=r["n"],
                        )
                        for r in grouped.order_by()
                    ],
                    batch_size=5000,
                )


def measure_counts(region_ids: list[int], p: measures.Period) -> dict[str, list[int]]:
    """{measure key: [numerator, denominator]} over the period, from the summaries: each part summed over the
    days it counts on in the period (a due part: only the days already over)."""
    rows = (
        DayMeasureStat.objects.filter(
            region_id__in=region_ids, counted__gte=p.start, counted__lte=p.end, measure__in=SUMMARISED
        )
        .values("measure", "side", "part")
        .annotate(total=Sum("n"), over=Sum("n", filter=Q(counted__lt=p.today)))
        .order_by()
    )
    result = {key: [0, 0] for key in SUMMARISED}
    for r in rows:
        part = measures.MEASURES[r["measure"]].parts(r["side"])[r["part"]]
        result[r["measure"]][0 if r["side"] == measures.NUM else 1] += (
            r["over"] if part.due else r["total"]
        ) or 0
    return result


def refreshed_at() -> dt.datetime | None:
    """When the summaries were last brought up to date; None before the first refresh."""
    return RollupState.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()
