"""Maintained daily summaries behind the dashboard (by submission day, per region), so a year of a city is a few
thousand summary rows instead of a scan of every appeal. Kept current by ``rollup.refresh`` (a background job)."""

from django.db import models


class DayRegionStat(models.Model):
    day = models.DateField()
    region_id = models.IntegerField()
    collected = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    measures = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "region_id"], name="uniq_day_region_stat")]

    def __str__(self) -> str:
        return f"{self.day} {self.region_id}"


class DayDimensionStat(models.Model):
    """Collected per day, region and one dimension value (category id, channel, lead department id)."""

    day = models.DateField()
    region_id = models.IntegerField()
    dimension = models.CharField(max_length=10)
    key = models.CharField(max_length=40)
    collected = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "region_id", "dimension", "key"], name="uniq_day_dimension_stat"
            )
        ]
        indexes = [models.Index(fields=["dimension", "day"], name="dimstat_dim_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}={self.key}"


class DayMeasureStat(models.Model):
    """One part of one side of a measure (``appeals.measures``): the appeals submitted on ``day`` in a region
    that the part counts on ``counted`` (the day of its moment: replied, closed, deadline). Summed over
    ``counted`` in a period they are the measure's numerator or denominator for that period."""

    day = models.DateField()
    region_id = models.IntegerField()
    measure = models.CharField(max_length=20)
    side = models.CharField(max_length=3)
    part = models.PositiveSmallIntegerField()
    counted = models.DateField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "region_id", "measure", "side", "part", "counted"],
                name="uniq_day_measure_stat",
            )
        ]
        indexes = [models.Index(fields=["counted", "measure"], name="measurestat_counted")]

    def __str__(self) -> str:
        return f"{self.day} {self.measure}.{self.side}{self.part}@{self.counted}"


class RollupState(models.Model):
    """One row: the newest ``Appeal.updated_at`` already folded into the summaries, and when that was checked."""

    watermark = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"rollup up to {self.watermark}"
