"""Action plans (行动方案) and their task lists (任务清单): a plan of a region holds a tree of tasks, each meant to move
one or more indicators of the evaluation framework, led by a department with a kind of responsibility, watched by
a 督办专员; each task has milestones (路线图/时间表) that are done only with evidence and a reviewer's sign-off.
Departments file progress reports on the plan's cadence; late reports and overdue milestones produce graded
supervision slips (督办单). Monthly and quarterly rankings are frozen when published.

Lights are derived from the milestone due dates and the working-day calendar, never stored as state: a milestone
keeps its due date and the first day it shows yellow (``yellow_on``), so lists filter by light in the database.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from qinqing.indices.models import Indicator
from qinqing.organisation.models import Department, Region


class Environment(models.TextChoices):
    """四个环境 of the provincial plan."""

    LAW = "law", "法治环境"
    GOVERNMENT = "government", "政务环境"
    MARKET = "market", "市场环境"
    SOCIAL = "social", "社会环境"


class Responsibility(models.TextChoices):
    """按照法定职责、主办职责、联动职责一体负责."""

    STATUTORY = "statutory", "法定职责"
    LEAD = "lead", "主办职责"
    LINKED = "linked", "联动职责"


class Cadence(models.TextChoices):
    HALF_MONTH = "half_month", "每半月"
    MONTH = "month", "每月"


class Light(models.TextChoices):
    GREEN = "green", "绿灯"
    YELLOW = "yellow", "黄灯"
    RED = "red", "红灯"
    DONE = "done", "已销号"


class Plan(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        APPROVED = "approved", "已批准"
        ENDED = "ended", "已结束"

    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    number = models.CharField("文号", max_length=60, blank=True)
    title = models.CharField("方案名称", max_length=200)
    leading_group = models.TextField("领导小组", blank=True)
    working_groups = models.TextField("工作专班", blank=True, help_text="每行一个专班")
    cadence = models.CharField(
        "进展报送频次", max_length=12, choices=Cadence.choices, default=Cadence.HALF_MONTH
    )
    report_grace_days = models.PositiveSmallIntegerField(
        "报送宽限（工作日）", default=3, help_text="每期结束后若干个工作日内报送，逾期即生成督办单"
    )
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFT)
    approved_on = models.DateField("批准日期", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "行动方案"
        ordering = ["-year", "region__path", "pk"]

    def __str__(self) -> str:
        return self.title


class Task(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", "推进中"
        PENDING_CLOSE = "pending_close", "待销号"
        CLOSED = "closed", "已销号"

    plan = models.ForeignKey(Plan, verbose_name="行动方案", on_delete=models.CASCADE, related_name="tasks")
    parent = models.ForeignKey(
        "self",
        verbose_name="上级任务",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    code = models.CharField("编号", max_length=20)
    title = models.CharField("任务名称", max_length=200)
    description = models.TextField("任务内容", blank=True)
    environment = models.CharField("所属环境", max_length=12, choices=Environment.choices)
    indicators = models.ManyToManyField(
        Indicator, verbose_name="对应指标", blank=True, related_name="plan_tasks"
    )
    lead_department = models.ForeignKey(
        Department, verbose_name="牵头部门", on_delete=models.PROTECT, related_name="led_plan_tasks"
    )
    responsibility = models.CharField(
        "责任类型", max_length=10, choices=Responsibility.choices, default=Responsibility.LEAD
    )
    co_departments = models.ManyToManyField(
        Department, verbose_name="配合部门", blank=True, related_name="co_plan_tasks"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="督办专员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_plan_tasks",
    )
    weight = models.DecimalField("权重", max_digits=6, decimal_places=2, default=Decimal("1"))
    state = models.CharField("状态", max_length=15, choices=State.choices, default=State.ACTIVE)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    position = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "任务"
        ordering = ["plan", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="plan_task_code_unique")]
        indexes = [models.Index(fields=["plan", "state"]), models.Index(fields=["lead_department", "state"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Milestone(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "未完成"
        SUBMITTED = "submitted", "待审核"
        DONE = "done", "已完成"
        RETURNED = "returned", "退回"

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("节点", max_length=200)
    due = models.DateField("完成时限")
    yellow_on = models.DateField("黄灯起始日", help_text="由完成时限与工作日历算出，时限变化时重算")
    baseline_due = models.DateField("基线时限", null=True, blank=True, help_text="方案批准时冻结")
    expected_result = models.CharField("预期成果", max_length=300)
    evidence_required = models.CharField("佐证材料要求", max_length=300)
    weight = models.DecimalField("权重", max_digits=6, decimal_places=2, default=Decimal("1"))
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    submitted_at = models.DateTimeField("提交审核时间", null=True, blank=True)
    done_on = models.DateField(
        "完成日期", null=True, blank=True, help_text="提交审核并获通过的那次提交的日期"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "任务节点"
        ordering = ["task", "due", "position", "pk"]
        indexes = [models.Index(fields=["state", "due"])]

    def __str__(self) -> str:
        return self.title

    @property
    def open(self) -> bool:
        return self.state != self.State.DONE

    def light(self, today: dt.date) -> str:
        if self.state == self.State.DONE:
            return Light.DONE
        if self.due < today:
            return Light.RED
        if self.yellow_on <= today:
            return Light.YELLOW
        return Light.GREEN


class ProgressReport(models.Model):
    """A department's report on a task for one period of the plan's cadence."""

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="reports")
    period_start = models.DateField("报送期起")
    period_end = models.DateField("报送期止")
    due = models.DateField("报送截止")
    text = models.TextField("工作进展")
    problems = models.TextField("存在问题", blank=True)
    milestone = models.ForeignKey(
        Milestone,
        verbose_name="提交审核的节点",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField("报送时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "进展报告"
        ordering = ["-filed_at", "-pk"]
        indexes = [models.Index(fields=["task", "period_start"])]

    def __str__(self) -> str:
        return f"{self.task.code} {self.period_start}"


def evidence_path(instance: Evidence, filename: str) -> str:
    ext = os.path.splitext(filename)[1].lower()
    return f"plans/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"


class Evidence(models.Model):
    """佐证材料 of a milestone: a file (checked and scanned like an appeal's attachment) or a link."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="evidence")
    report = models.ForeignKey(
        ProgressReport, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence"
    )
    file = models.FileField(upload_to=evidence_path, blank=True)
    original_name = models.CharField("文件名", max_length=200, blank=True)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    link = models.URLField("链接", max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "佐证材料"
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name or self.link


class Slip(models.Model):
    """督办单: one per late report period or overdue milestone (``key``), graded blue → yellow → red when not
    answered by its response date."""

    class Kind(models.TextChoices):
        LATE_REPORT = "late_report", "进展报告逾期"
        OVERDUE_MILESTONE = "overdue_milestone", "节点超期"

    class Level(models.TextChoices):
        BLUE = "blue", "蓝色督办"
        YELLOW = "yellow", "黄色督办"
        RED = "red", "红色督办"

    class State(models.TextChoices):
        ISSUED = "issued", "已发出"
        ANSWERED = "answered", "已回复"
        CLOSED = "closed", "已销号"

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="slips")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=40, help_text="report:期起日期 或 milestone:节点编号；每件只出一单")
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.CASCADE, related_name="slips"
    )
    period_start = models.DateField("报送期起", null=True, blank=True)
    reason = models.CharField("事由", max_length=300)
    level = models.CharField("等级", max_length=10, choices=Level.choices, default=Level.BLUE)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.ISSUED)
    issued_on = models.DateField("发出日期")
    respond_by = models.DateField("回复时限")
    escalated_on = models.DateField("最近升级日期", null=True, blank=True)
    answer = models.TextField("回复", blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "任务督办单"
        ordering = ["-issued_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["task", "key"], name="plan_slip_once")]
        indexes = [models.Index(fields=["state", "respond_by"])]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.reason}"


class PlanEvent(models.Model):
    """One row per state change of a plan, task, milestone or slip (the task page's 过程记录)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="events")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    slip = models.ForeignKey(Slip, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事项", max_length=30)
    label = models.CharField("说明", max_length=60)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "任务过程记录"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["kind", "at"])]

    def __str__(self) -> str:
        return f"{self.label} {self.at:%Y-%m-%d}"


class Ranking(models.Model):
    """A published department ranking over plan tasks (任务红黑榜), frozen: rows as computed on publishing, with the
    version of the rule that computed them."""

    class Period(models.TextChoices):
        MONTH = "month", "月度"
        QUARTER = "quarter", "季度"

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    period = models.CharField("周期", max_length=10, choices=Period.choices)
    start = models.DateField("期起")
    end = models.DateField("期止")
    rule_version = models.CharField("规则版本", max_length=30)
    red = models.JSONField(default=list)
    black = models.JSONField(default=list)
    all_rows = models.JSONField(default=list)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "任务推进排名"
        ordering = ["-start", "period"]
        constraints = [
            models.UniqueConstraint(fields=["region", "period", "start"], name="plan_ranking_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_period_display()} {self.start}"
