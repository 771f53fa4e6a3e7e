from django.db import models


class CalendarOverride(models.Model):
    """A day a local government declares differently from the national calendar
    (an extra day off after a disaster, a make-up workday the package does not know yet)."""

    day = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "工作日调整"
        verbose_name_plural = "工作日调整（本地）"
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {'工作日' if self.is_workday else '休息日'}"


class DailySequence(models.Model):
    """Per-day counters for human-readable numbers such as QQ202611220001."""

    prefix = models.CharField(max_length=8)
    day = models.DateField()
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "day"], name="uniq_sequence_prefix_day")]

    def __str__(self) -> str:
        return f"{self.prefix}{self.day:%Y%m%d}={self.value}"
