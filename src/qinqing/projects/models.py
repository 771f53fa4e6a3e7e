"""Key projects (重点项目): a project, its stages with planned and actual dates, its approval steps with the working
days each took, the 三未 flags the sweep raises on it, the appeals raised about it, and its history.

Stages run 洽谈 → 签约 → 落地/供地 → 开工 → 建设 → 竣工 → 投产 (``Stage``, in that order); a ``StagePlan`` row per
stage holds the planned and the actual date. Moving is ``projects.workflow.PROJECTS``; the actual date is the day
the move says (today by default), never later than today.

Working days (``core.workcalendar``, chinesecalendar with local overrides) between two dates count the way Chinese
law counts a period (《行政许可法》第八十二条 counts 工作日 without holidays; a period's first day is not counted,
《民法典》第二百零一条): **the day of submission does not count, the day of approval does**, so an approval given the
day it was asked for (即办) took 0 working days and one given the next working day took 1. The span from one stage
to another counts the same way, from the actual date of the first to the actual date of the second.

A project's **whole approval time** (全流程审批用时, the figure 国办发〔2019〕11号 caps at 120 working days) is the
number of working days on which at least one of its approval steps was with a department: the union of the steps'
(submitted, approved] spans, so two permits handled in parallel are not counted twice and the days the investor
spent preparing the next application are not counted at all. It is stored on the project (``approval_days``,
recomputed by the service that records a step) so lists and medians read one column; ``approval_done`` says the
whole approval is over (every step approved, and a 竣工验收 step among them).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from qinqing.appeals.models import Appeal
from qinqing.enterprises.models import Enterprise, Industry
from qinqing.fieldwork.models import TaskForce
from qinqing.organisation.models import Department, Region

USER = settings.AUTH_USER_MODEL


class Stage(models.TextChoices):
    NEGOTIATING = "negotiating", "洽谈"
    SIGNED = "signed", "签约"
    LANDED = "landed", "落地/供地"
    STARTED = "started", "开工"
    BUILDING = "building", "建设"
    COMPLETED = "completed", "竣工"
    PRODUCING = "producing", "投产"


STAGES: tuple[str, ...] = tuple(Stage.values)


def stage_index(stage: str) -> int:
    return STAGES.index(stage)


class StepKind(models.TextChoices):
    """The approval items of an engineering construction project in the order of 国办发〔2019〕11号's four phases
    (立项用地规划许可、工程建设许可、施工许可、竣工验收), with the usual ones of the phases."""

    APPROVAL = "approval", "立项（审批/核准/备案）"
    LAND_PLANNING = "land_planning", "用地规划许可"
    LAND_USE = "land_use", "用地批准（不动产权证）"
    ENGINEERING_PLANNING = "eng_planning", "工程规划许可"
    DRAWING_REVIEW = "drawing_review", "施工图审查"
    CONSTRUCTION = "construction", "施工许可"
    COMPLETION = "completion", "竣工验收"
    OTHER = "other", "其他审批事项"


class FlagRule(models.TextChoices):
    """三未 (批而未开、开而未建、建而未成): the rules are in ``projects.flags``."""

    APPROVED_NOT_STARTED = "approved_not_started", "批而未开"
    STARTED_NOT_BUILT = "started_not_built", "开而未建"
    BUILT_NOT_FINISHED = "built_not_finished", "建而未成"


class Project(models.Model):
    name = models.CharField("项目名称", max_length=100)
    number = models.CharField("项目编号", max_length=30, unique=True)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="投资企业", on_delete=models.PROTECT, related_name="projects"
    )
    amount = models.PositiveBigIntegerField("投资额（万元）")
    industry = models.CharField("行业门类", max_length=1, choices=Industry.choices)
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    leader = models.ForeignKey(
        USER, verbose_name="挂点领导", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    officer = models.ForeignKey(
        USER, verbose_name="服务专员", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    task_force = models.ForeignKey(
        TaskForce, verbose_name="工作专班", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    baseline = models.ForeignKey(
        "self",
        verbose_name="对照项目",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="如同一企业上一期扩产项目：项目页、导出和接口对比两者的全流程审批用时",
    )
    stage = models.CharField("当前阶段", max_length=12, choices=Stage.choices, default=Stage.NEGOTIATING)
    approval_days = models.PositiveIntegerField("审批用时（工作日）", null=True, blank=True)
    approval_done = models.BooleanField("全流程审批已完成", default=False)
    # 签约→开工 in working days, stored by the stage moves (projects.services) so lists and totals read one column.
    sign_to_start_days = models.PositiveIntegerField("签约→开工（工作日）", null=True, blank=True)
    note = models.TextField("备注", blank=True)
    created_by = models.ForeignKey(USER, verbose_name="登记人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "重点项目"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["region", "stage"], name="project_region_stage"),
            models.Index(fields=["stage", "approval_done"], name="project_stage_done"),
            # The lists' order: newest first, read in index order and stopped at the page.
            models.Index(fields=["-created_at", "-id"], name="project_recent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def stage_position(self) -> int:
        return stage_index(self.stage)


class StagePlan(models.Model):
    """The planned and the actual date of one stage of one project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="plans")
    stage = models.CharField("阶段", max_length=12, choices=Stage.choices)
    planned_on = models.DateField("计划日期", null=True, blank=True)
    actual_on = models.DateField("实际日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "项目阶段"
        constraints = [models.UniqueConstraint(fields=["project", "stage"], name="uniq_project_stage")]
        indexes = [models.Index(fields=["stage", "actual_on"], name="project_stage_actual")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.get_stage_display()}"


class ApprovalStep(models.Model):
    """One approval item of a project: the department, when the application was accepted (submitted) and when the
    approval was given, and the working days it took (counted as the module says, stored when recorded)."""

    class State(models.TextChoices):
        PLANNED = "planned", "未申报"
        SUBMITTED = "submitted", "审批中"
        APPROVED = "approved", "已批复"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField("审批事项", max_length=16, choices=StepKind.choices)
    name = models.CharField("事项名称", max_length=60, blank=True)
    department = models.ForeignKey(
        Department, verbose_name="审批部门", on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)
    submitted_on = models.DateField("申报（受理）日期", null=True, blank=True)
    approved_on = models.DateField("批复日期", null=True, blank=True)
    working_days = models.PositiveIntegerField("用时（工作日）", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "审批环节"
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["department", "approved_on"], name="project_step_dept")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.name or self.get_kind_display()

    @property
    def state(self) -> str:
        if self.approved_on is not None:
            return self.State.APPROVED
        if self.submitted_on is not None:
            return self.State.SUBMITTED
        return self.State.PLANNED

    def get_state_display(self) -> str:
        return str(self.State(self.state).label)


class ProjectFlag(models.Model):
    """A 三未 flag: raised by the sweep when its rule holds, cleared by it (or by the stage move that resolves it).
    One open flag per project and rule, enforced by the database, so two sweeps at once raise it once."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="flags")
    rule = models.CharField("类型", max_length=24, choices=FlagRule.choices)
    detail = models.CharField("说明", max_length=200)
    raised_at = models.DateTimeField("预警时间", default=timezone.now)
    cleared_at = models.DateTimeField("解除时间", null=True, blank=True)
    cleared_note = models.CharField("解除原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "三未预警"
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "rule"],
                condition=Q(cleared_at__isnull=True),
                name="uniq_open_project_flag",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.get_rule_display()}"

    @property
    def open(self) -> bool:
        return self.cleared_at is None


class ProjectAppeal(models.Model):
    """An appeal raised about a project (提出项目问题). The appeal itself lives in ``appeals``; the link lives here."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="appeal_links")
    appeal = models.OneToOneField(Appeal, on_delete=models.CASCADE, related_name="project_link")
    linked_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "项目问题诉求"
        ordering = ["-linked_at", "-id"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.appeal_id}"


class ProjectEvent(models.Model):
    """One immutable row per thing that happened to a project: its history."""

    class Kind(models.TextChoices):
        CREATED = "created", "项目入库"
        PLANNED = "planned", "调整计划日期"
        MOVED = "moved", "推进阶段"
        CORRECTED = "corrected", "更正阶段"
        STEP_ADDED = "step_added", "新增审批环节"
        STEP_SUBMITTED = "step_submitted", "审批申报"
        STEP_APPROVED = "step_approved", "审批批复"
        FLAG_RAISED = "flag_raised", "三未预警"
        FLAG_CLEARED = "flag_cleared", "预警解除"
        PROBLEM = "problem", "提出项目问题"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "项目记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.get_kind_display()}"


def today() -> dt.date:
    return timezone.localdate()
