"""Evaluation frameworks (评价指标体系), versioned: a framework is a tree of indicators, each with its weight, unit,
direction and scoring method. Frameworks, benchmarks and mappings are reference data (published figures: everyone
signed in may read them); observations, targets and a region's choices belong to a region (scoped)."""

import os
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from qinqing.organisation.models import Department, Region


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


class IndicatorMapping(models.Model):
    """That an indicator of one framework measures (wholly or partly) what an indicator of another does, e.g. the
    national 开办企业 and B-READY's 企业准入. Reference data shipped with the frameworks."""

    class Relation(models.TextChoices):
        SAME = "same", "等同"
        PARTIAL = "partial", "部分对应"

    source = models.ForeignKey(
        Indicator, verbose_name="指标", on_delete=models.CASCADE, related_name="mapped_to"
    )
    target = models.ForeignKey(
        Indicator, verbose_name="对应指标", on_delete=models.CASCADE, related_name="mapped_from"
    )
    relation = models.CharField("对应关系", max_length=10, choices=Relation.choices, default=Relation.PARTIAL)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "指标对应关系"
        constraints = [models.UniqueConstraint(fields=["source", "target"], name="indicator_mapping_unique")]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"


class Grouping(models.Model):
    """Another way to read a framework's first level, e.g. 四个环境 (法治、政务、市场、社会) over the national
    indicators; a region chooses one (``RegionIndex``) and the tree page then shows the groups' scores too."""

    framework = models.ForeignKey(
        Framework, verbose_name="指标体系", on_delete=models.CASCADE, related_name="groupings"
    )
    code = models.SlugField("分组代码", max_length=60)
    name = models.CharField("分组名称", max_length=60)
    description = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "指标分组"
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="grouping_code_unique")]

    def __str__(self) -> str:
        return self.name


class GroupingItem(models.Model):
    grouping = models.ForeignKey(Grouping, on_delete=models.CASCADE, related_name="items")
    name = models.CharField("组名", max_length=40)
    position = models.PositiveSmallIntegerField("排序", default=0)
    indicators = models.ManyToManyField(Indicator, verbose_name="所含指标", related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "指标分组项"
        ordering = ["grouping", "position"]

    def __str__(self) -> str:
        return self.name


class RegionIndex(models.Model):
    """What a region chose for a framework: the grouping its tree page shows and the comparator it is measured
    against by default (e.g. 对标深圳)."""

    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.CASCADE, related_name="+")
    framework = models.ForeignKey(
        Framework, verbose_name="指标体系", on_delete=models.CASCADE, related_name="+"
    )
    grouping = models.ForeignKey(
        Grouping, verbose_name="分组", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comparator = models.CharField("默认对标", max_length=30, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "区划评价设置"
        constraints = [models.UniqueConstraint(fields=["region", "framework"], name="region_index_unique")]

    def __str__(self) -> str:
        return f"{self.region} {self.framework}"


def evidence_path(instance: "Observation", filename: str) -> str:
    ext = os.path.splitext(filename)[1].lower()
    return f"indices/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"


class ObservationState(models.TextChoices):
    PENDING = "pending", "待核实"
    VERIFIED = "verified", "已核实"
    RETURNED = "returned", "已退回"


class Observation(models.Model):
    """The value of one leaf indicator for one region and period, with its evidence, who entered it and who
    verified it. A computed leaf's observation is written by the system (``computed``) with its formula."""

    indicator = models.ForeignKey(
        Indicator, verbose_name="指标", on_delete=models.CASCADE, related_name="observations"
    )
    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(
        "期间", max_length=8, help_text="年度 2025；半年 2025H1；季度 2025Q3；月度 2025M03"
    )
    value = models.DecimalField("数值", max_digits=14, decimal_places=4)
    state = models.CharField(
        "状态", max_length=10, choices=ObservationState.choices, default=ObservationState.PENDING
    )
    note = models.CharField("说明", max_length=500, blank=True)
    evidence = models.FileField("证明材料", upload_to=evidence_path, blank=True)
    evidence_name = models.CharField("证明材料文件名", max_length=200, blank=True)
    evidence_link = models.URLField("证明材料链接", max_length=300, blank=True)
    computed = models.BooleanField("系统计算", default=False)
    formula = models.CharField("计算口径", max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="填报人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField("填报时间", default=timezone.now)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核实人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    return_reason = models.CharField("退回原因", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "指标观测值"
        ordering = ["indicator", "region", "period"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "region", "period"], name="observation_unique")
        ]
        indexes = [models.Index(fields=["region", "period"], name="observation_region_period")]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.region_id} {self.period}"


class ObservationEvent(models.Model):
    """One line of an observation's history: entered, changed, verified, returned, computed, imported."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事件", max_length=20)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "观测值记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}"


class Benchmark(models.Model):
    """A comparator region's value of an indicator (对标广州、深圳、标杆城市), with its source and year."""

    indicator = models.ForeignKey(
        Indicator, verbose_name="指标", on_delete=models.CASCADE, related_name="benchmarks"
    )
    comparator = models.CharField("对标对象", max_length=30, help_text="如 广州、深圳、标杆城市")
    period = models.CharField("期间", max_length=8)
    value = models.DecimalField("数值", max_digits=14, decimal_places=4)
    source = models.CharField("来源", max_length=300)

    class Meta:
        verbose_name = verbose_name_plural = "对标值"
        ordering = ["indicator", "comparator", "period"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "comparator", "period"], name="benchmark_unique")
        ]

    def __str__(self) -> str:
        return f"{self.comparator} {self.period} {self.indicator}"


class Target(models.Model):
    """A region's target for an indicator in a period: for a leaf a value in its unit, for an inner node a score."""

    indicator = models.ForeignKey(
        Indicator, verbose_name="指标", on_delete=models.CASCADE, related_name="targets"
    )
    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.CASCADE, related_name="+")
    period = models.CharField("期间", max_length=8)
    value = models.DecimalField("目标值", max_digits=14, decimal_places=4)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "指标目标"
        constraints = [
            models.UniqueConstraint(fields=["indicator", "region", "period"], name="target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.period} {self.indicator}"
