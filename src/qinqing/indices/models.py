"""Evaluation frameworks (评价指标体系), versioned: a framework is a tree of indicators, each with its weight, unit,
direction and scoring method. Frameworks are reference data: everyone signed in may read them."""

from decimal import Decimal

from django.db import models

from qinqing.organisation.models import Department


class Framework(models.Model):
    """One version of an index, e.g. the Guangdong 2023 provincial index. ``code`` names it for import/export."""

    code = models.SlugField("体系代码", max_length=60, unique=True)
    name = models.CharField("体系名称", max_length=120)
    version = models.CharField("版本", max_length=30)
    year = models.PositiveSmallIntegerField("年度")
    source = models.TextField("来源", help_text="发布机关、文件名称与文号或网址")
    description = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评价指标体系"
        ordering = ["-year", "code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.version}）"


class Indicator(models.Model):
    """A node of a framework's tree; leaves carry values, inner nodes are the weighted roll-up of their children."""

    class Direction(models.TextChoices):
        HIGHER = "higher", "越高越好"
        LOWER = "lower", "越低越好"

    class Method(models.TextChoices):
        FRONTIER = "frontier", "前沿距离法"
        YES_NO = "yesno", "是否判定"
        POINTS = "points", "计分"
        SURVEY = "survey", "满意度调查得分"

    class Frequency(models.TextChoices):
        YEAR = "year", "年度"
        HALF = "half", "半年"
        QUARTER = "quarter", "季度"
        MONTH = "month", "月度"

    framework = models.ForeignKey(
        Framework, verbose_name="指标体系", on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.CharField("指标代码", max_length=40)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级指标",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    name = models.CharField("指标名称", max_length=200)
    level = models.PositiveSmallIntegerField("层级", default=1)
    weight = models.DecimalField("权重", max_digits=7, decimal_places=4, default=Decimal("1"))
    unit = models.CharField("单位", max_length=30, blank=True)
    direction = models.CharField("方向", max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    method = models.CharField("计分方法", max_length=10, choices=Method.choices, default=Method.FRONTIER)
    best = models.DecimalField("最优值", max_digits=14, decimal_places=4, null=True, blank=True)
    worst = models.DecimalField("最差值", max_digits=14, decimal_places=4, null=True, blank=True)
    data_source = models.CharField("数据来源", max_length=200, blank=True)
    owner = models.ForeignKey(
        Department,
        verbose_name="牵头部门",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_indicators",
    )
    owner_name = models.CharField(
        "牵头部门名称", max_length=100, blank=True, help_text="导入导出时的部门名称"
    )
    frequency = models.CharField("频次", max_length=10, choices=Frequency.choices, default=Frequency.YEAR)
    computed = models.CharField(
        "系统计算来源",
        max_length=40,
        blank=True,
        help_text="由本系统数据计算的指标的来源代码；为空则人工填报",
    )
    position = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "评价指标"
        ordering = ["framework", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="indicator_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
