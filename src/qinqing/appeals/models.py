import datetime as dt
import os
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from qinqing.enterprises.models import Enterprise
from qinqing.organisation.models import Department, Region


class Category(models.Model):
    code = models.SlugField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=30, unique=True)
    sort = models.PositiveSmallIntegerField("排序", default=100)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "诉求类别"
        verbose_name_plural = "诉求类别"
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.name


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"
    CRITICAL = "critical", "特急"


class Difficulty(models.IntegerChoices):
    """Set at triage so rankings compare like with like (a 疑难 land case is not a routine certificate)."""

    ROUTINE = 1, "普通"
    HARD = 2, "较难"
    COMPLEX = 3, "疑难"


class Channel(models.TextChoices):
    ONLINE = "online", "线上"
    THEME_DAY = "theme_day", "政企交流主题日"
    FORUM = "forum", "座谈会"
    FACE_TO_FACE = "face_to_face", "政企面对面"
    WARM_SPRING = "warm_spring", "暖春行动"
    CHIEF_OFFICER = "chief_officer", "首席服务官"
    RESIDENT = "resident", "驻点专员"
    SUPERVISOR = "supervisor", "特约监督员"
    CONGRESS = "congress", "人大联系点"
    IP_CONTACT = "ip_contact", "知识产权联系点"
    NO_WINDOW = "no_window", "进不了窗口事项中心"
    HOTLINE = "hotline", "热线"
    VISIT = "visit", "来访"


class Step(models.TextChoices):
    TRIAGE = "triage", "受理分派"
    SIGN = "sign", "签收"
    HANDLE = "handle", "办理"
    REVIEW = "review", "答复审核"
    RATE = "rate", "评价"


class TimeLimit(models.Model):
    """Working days allowed for a step. The most specific row wins: category + urgency, then
    category only, then urgency only, then the step's default (both empty)."""

    step = models.CharField("环节", max_length=10, choices=Step.choices)
    category = models.ForeignKey(
        Category, verbose_name="类别", null=True, blank=True, on_delete=models.CASCADE
    )
    urgency = models.CharField("紧急程度", max_length=10, choices=Urgency.choices, blank=True)
    working_days = models.PositiveSmallIntegerField("时限（工作日）")

    class Meta:
        verbose_name = "办理时限"
        verbose_name_plural = "办理时限"
        constraints = [
            models.UniqueConstraint(
                fields=["step", "category", "urgency"],
                name="uniq_time_limit",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        scope = " ".join(filter(None, [str(self.category or ""), self.get_urgency_display()])) or "默认"
        return f"{self.get_step_display()}（{scope}）{self.working_days}个工作日"


class ResponsibilityCatalogue(models.Model):
    """职责清单: who handles a category in a region. The entry of the nearest enclosing region applies."""

    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.CASCADE)
    category = models.ForeignKey(Category, verbose_name="类别", on_delete=models.CASCADE)
    lead_department = models.ForeignKey(
        Department, verbose_name="主办单位", on_delete=models.CASCADE, related_name="+"
    )
    co_departments = models.ManyToManyField(Department, verbose_name="协办单位", blank=True, related_name="+")
    matters = models.TextField("职责事项", blank=True)

    class Meta:
        verbose_name = "职责清单"
        verbose_name_plural = "职责清单"
        constraints = [
            models.UniqueConstraint(fields=["region", "category"], name="uniq_catalogue_region_category")
        ]

    def __str__(self) -> str:
        return f"{self.region} · {self.category} → {self.lead_department}"


class Status(models.TextChoices):
    SUBMITTED = "submitted", "待受理"
    ASSIGNED = "assigned", "待签收"
    IN_PROGRESS = "in_progress", "办理中"
    PAUSED = "paused", "已挂起"
    # A reply waiting for its quality score, and when flagged for the reviewer (the lead department's head or
    # the office), before the enterprise sees it; only in regions that hold flagged replies.
    REVIEW = "review", "答复待审核"
    REPLIED = "replied", "已答复"
    CLOSED = "closed", "已办结"
    REJECTED = "rejected", "不予受理"
    WITHDRAWN = "withdrawn", "已撤回"
    MERGED = "merged", "已并案"


# States whose step runs against a deadline somebody in government owns.
TIMED_STATUSES = (Status.SUBMITTED, Status.ASSIGNED, Status.IN_PROGRESS)
OPEN_STATUSES = (*TIMED_STATUSES, Status.PAUSED, Status.REVIEW, Status.REPLIED)
FINAL_STATUSES = (Status.CLOSED, Status.REJECTED, Status.WITHDRAWN, Status.MERGED)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


class Light(models.TextChoices):
    GREEN = "green", "正常"
    YELLOW = "yellow", "临期"
    RED = "red", "超期"


class Review(models.TextChoices):
    PENDING = "pending", "待复核"
    REOPENED = "reopened", "已重办"
    DECLINED = "declined", "不予重办"


class Appeal(models.Model):
    number = models.CharField("编号", max_length=20, unique=True)
    title = models.CharField("标题", max_length=100)
    content = models.TextField("诉求内容")
    category = models.ForeignKey(
        Category, verbose_name="类别", on_delete=models.PROTECT, related_name="appeals"
    )
    urgency = models.CharField("紧急程度", max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    channel = models.CharField("来源渠道", max_length=20, choices=Channel.choices, default=Channel.ONLINE)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="appeals"
    )
    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.PROTECT, related_name="appeals")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    contact_name = models.CharField("联系人", max_length=30)
    contact_mobile = models.CharField("联系电话", max_length=11)

    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    lead_department = models.ForeignKey(
        Department,
        verbose_name="主办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_appeals",
    )
    co_departments = models.ManyToManyField(
        Department, verbose_name="协办单位", blank=True, related_name="co_appeals"
    )

    # The deadline of the step now running (see `step`), and when that step turns yellow.
    step = models.CharField("当前环节", max_length=10, choices=Step.choices, default=Step.TRIAGE)
    deadline = models.DateTimeField("当前环节时限", null=True, blank=True)
    yellow_at = models.DateTimeField(null=True, blank=True, editable=False)
    step_days = models.PositiveSmallIntegerField(default=0, editable=False)
    # The signing deadline of the latest assignment survives the signature, so 签收及时率 can be measured.
    sign_deadline = models.DateTimeField("签收时限", null=True, blank=True, editable=False)
    # The handling deadline survives the reply, so on-time handling can be measured afterwards.
    handle_deadline = models.DateTimeField("办理时限", null=True, blank=True)
    handle_days = models.PositiveSmallIntegerField("办理时限（工作日）", default=0)
    difficulty = models.PositiveSmallIntegerField(
        "难度", choices=Difficulty.choices, default=Difficulty.ROUTINE
    )

    reply_measures = models.TextField("采取措施", blank=True)
    reply_result = models.TextField("办理结果", blank=True)
    satisfaction = models.CharField("满意度", max_length=12, choices=Satisfaction.choices, blank=True)
    resolved = models.BooleanField("问题是否解决", null=True, blank=True)
    auto_closed = models.BooleanField("超期未评价自动办结", default=False)
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)
    # A 不满意 rating goes to the office of the region for review (12345 rules): 重办 to the same or another
    # department, or 不予重办 with a reason. Empty: nothing to review.
    review = models.CharField("不满意复核", max_length=10, choices=Review.choices, blank=True, default="")
    extension_count = models.PositiveSmallIntegerField("延期次数", default=0)
    return_count = models.PositiveSmallIntegerField("退回次数", default=0)
    paused_at = models.DateTimeField("挂起时间", null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name="并入",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_appeals",
    )
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, editable=False)
    # 台账导入: the import that brought it in (its dates and state are the ledger's, not this system's).
    import_batch = models.ForeignKey(
        "AppealImport",
        verbose_name="导入批次",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
        editable=False,
    )

    submitted_at = models.DateTimeField("提交时间", default=timezone.now)
    assigned_at = models.DateTimeField("分派时间", null=True, blank=True)
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "诉求"
        verbose_name_plural = "诉求"
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["-submitted_at", "-id"], name="appeal_recent"),
            models.Index(fields=["status", "-submitted_at"], name="appeal_status_recent"),
            models.Index(fields=["lead_department", "status", "-submitted_at"], name="appeal_lead_status"),
            models.Index(fields=["enterprise", "-submitted_at"], name="appeal_enterprise_recent"),
            models.Index(fields=["region", "status"], name="appeal_region_status"),
            # The dashboard summaries ask for the newest change on every read.
            models.Index(fields=["updated_at"], name="appeal_updated"),
            models.Index(
                fields=["deadline"], name="appeal_open_deadline", condition=models.Q(deadline__isnull=False)
            ),
            # Department evaluation and weekly reports select assigned appeals by when they were assigned,
            # answered and closed.
            *[
                models.Index(
                    fields=[moment],
                    name=f"appeal_{moment.split('_')[0]}_lead",
                    condition=models.Q(lead_department__isnull=False),
                )
                for moment in ("assigned_at", "replied_at", "closed_at")
            ],
            # The live 'overdue now' and 'due soon' counts (dashboard, list badges): index-only over the timed
            # states of the regions; yellow_at rides along so 'deadline > now AND yellow_at <= now' reads no rows.
            models.Index(
                fields=["region", "deadline"],
                name="appeal_timed_region_deadline",
                condition=models.Q(status__in=["submitted", "assigned", "in_progress"]),
                include=["yellow_at"],
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["submitted_by", "idempotency_key"],
                name="uniq_appeal_idempotency",
                condition=models.Q(idempotency_key__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def light(self, now: dt.datetime | None = None) -> str | None:
        """Derived, never stored: green, yellow or red for a running government step, else None."""
        if self.status not in TIMED_STATUSES or self.deadline is None:
            return None
        now = now or timezone.now()
        if now > self.deadline:
            return Light.RED
        if self.yellow_at and now >= self.yellow_at:
            return Light.YELLOW
        return Light.GREEN

    @property
    def replied_on_time(self) -> bool | None:
        if not self.replied_at or not self.handle_deadline:
            return None
        return self.replied_at <= self.handle_deadline


class AppealEvent(models.Model):
    """One immutable row per step of an appeal: the timeline, and the audit log."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "提交诉求"
        ASSIGNED = "assigned", "受理并分派"
        REJECTED = "rejected", "不予受理"
        SIGNED = "signed", "签收"
        RETURNED = "returned", "退回"
        EXTENSION_REQUESTED = "extension_requested", "申请延期"
        EXTENSION_APPROVED = "extension_approved", "同意延期"
        EXTENSION_DENIED = "extension_denied", "不同意延期"
        NOTE = "note", "办理进展"
        PAUSED = "paused", "挂起（暂停计时）"
        RESUMED = "resumed", "恢复计时"
        REPLIED = "replied", "答复"
        RATED = "rated", "评价"
        AUTO_CLOSED = "auto_closed", "超期未评价自动办结"
        REOPENED = "reopened", "重办"
        WITHDRAWN = "withdrawn", "撤回"
        MERGED = "merged", "并案"
        ATTACHMENT = "attachment", "上传附件"
        WARNED = "warned", "临期预警（黄灯）"
        OVERDUE = "overdue", "超期（红灯）"
        REMINDED = "reminded", "催办通知"
        ESCALATED = "escalated", "升级通报"
        SUPERVISED = "supervised", "督办"
        SUPERVISION_ANSWERED = "supervision_answered", "督办回复"
        RATING_CONTESTED = "rating_contested", "评价申诉"
        CONTEST_DECIDED = "contest_decided", "申诉处理"
        INSTRUCTED = "instructed", "领导批示"
        REASSIGNED = "reassigned", "改派"
        REOPEN_DECLINED = "reopen_declined", "不予重办"
        REPLY_RELEASED = "reply_released", "答复已送达企业"
        REPLY_SENT_BACK = "reply_sent_back", "退回重答"
        CO_OPINION = "co_opinion", "协办意见"
        IMPORTED = "imported", "由台账导入"
        REVISITED = "revisited", "回访"

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("环节", max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Snapshots: who the actor was when acting, even after they change job.
    actor_name = models.CharField(max_length=60, blank=True)
    actor_role = models.CharField(max_length=20, blank=True)
    actor_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Whether the enterprise (and a special supervisor who registered the appeal) sees this entry; decided when
    # the step is taken (``PUBLIC_KINDS``, or the author's choice for a note) and never changed afterwards.
    # NULL on entries written before the field existed: their kind decides (events are append-only, so they
    # were not rewritten), see ``selectors.timeline``.
    public = models.BooleanField("企业可见", null=True, blank=True, default=None)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "流转记录"
        verbose_name_plural = "流转记录"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["appeal", "created_at"], name="event_appeal_time")]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("AppealEvent is immutable")
        super().save(*args, **kwargs)

    @property
    def role_label(self) -> str:
        """The actor's role in Chinese (系统 for the system's own steps)."""
        from qinqing.accounts.models import Role

        if self.actor_role == "system":
            return "系统"
        return Role(self.actor_role).label if self.actor_role in Role.values else self.actor_role

    def delete(self, *args, **kwargs):
        raise RuntimeError("AppealEvent is immutable")

    @property
    def is_public(self) -> bool:
        return self.kind in PUBLIC_KINDS if self.public is None else self.public


# Steps the enterprise sees on its timeline. Everything else is internal by default: 督办 and its answers, lights,
# 催办 and 通报, internal notes, 协办意见, 领导批示, returns between offices and departments, extension requests
# and decisions (the enterprise sees the new deadline on the appeal itself), rating contests.
PUBLIC_KINDS = frozenset(
    {
        AppealEvent.Kind.SUBMITTED,
        AppealEvent.Kind.ASSIGNED,
        AppealEvent.Kind.REJECTED,
        AppealEvent.Kind.SIGNED,
        AppealEvent.Kind.PAUSED,
        AppealEvent.Kind.RESUMED,
        AppealEvent.Kind.REPLIED,
        AppealEvent.Kind.REPLY_RELEASED,
        AppealEvent.Kind.RATED,
        AppealEvent.Kind.AUTO_CLOSED,
        AppealEvent.Kind.REOPENED,
        AppealEvent.Kind.REOPEN_DECLINED,
        AppealEvent.Kind.REASSIGNED,
        AppealEvent.Kind.WITHDRAWN,
        AppealEvent.Kind.MERGED,
        AppealEvent.Kind.ATTACHMENT,
        AppealEvent.Kind.IMPORTED,
        AppealEvent.Kind.REVISITED,
    }
)


class ExtensionRequest(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已同意"
        DENIED = "denied", "不同意"
        LAPSED = "lapsed", "已失效（诉求已答复或结束）"

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    days = models.PositiveSmallIntegerField("延长工作日")
    reason = models.TextField("延期理由")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal"],
                condition=models.Q(state="pending"),
                name="one_pending_extension_per_appeal",
            )
        ]

    def __str__(self) -> str:
        return f"延期{self.days}个工作日（{self.get_state_display()}）"


class ClockPause(models.Model):
    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", "等待企业补充材料"
        THIRD_PARTY = "third_party", "等待第三方（鉴定、检测、上级答复等）"

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField("挂起类型", max_length=12, choices=Kind.choices)
    reason = models.TextField("挂起理由")
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    working_days = models.PositiveSmallIntegerField("暂停工作日", default=0)

    class Meta:
        verbose_name = "挂起记录"
        verbose_name_plural = "挂起记录"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    ext = os.path.splitext(filename)[1].lower()
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"


class Attachment(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class ActionReceipt(models.Model):
    """That an action sent with an ``Idempotency-Key`` was carried out: a client that retries (its first answer
    was lost) gets the appeal as it stands instead of a 409 for a step already taken."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    action = models.CharField(max_length=30)
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "操作回执"
        verbose_name_plural = "操作回执"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="receipt_user_key")]

    def __str__(self) -> str:
        return f"{self.action} {self.appeal_id} ({self.key})"


class AppealImport(models.Model):
    """One Excel 台账 imported by an office: all its rows or none (the file's hash refuses a second import)."""

    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.PROTECT, related_name="+")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("文件摘要", max_length=64)
    rows = models.PositiveIntegerField("导入件数", default=0)
    created_at = models.DateTimeField("导入时间", default=timezone.now)

    class Meta:
        verbose_name = "台账导入"
        verbose_name_plural = "台账导入"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["region", "sha256"], name="uniq_import_region_file")]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.rows}件）"


class RevisitSample(models.Model):
    """抽样: the office picks a share of the appeals closed in a period for 回访."""

    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.PROTECT, related_name="+")
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="抽样人", on_delete=models.PROTECT, related_name="+"
    )
    date_from = models.DateField("办结日期自")
    date_to = models.DateField("办结日期至")
    percent = models.PositiveSmallIntegerField("抽样比例（%）")
    eligible = models.PositiveIntegerField("可抽样件数", default=0)
    picked = models.PositiveIntegerField("抽中件数", default=0)
    created_at = models.DateTimeField("抽样时间", default=timezone.now)

    class Meta:
        verbose_name = "回访抽样"
        verbose_name_plural = "回访抽样"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.date_from}至{self.date_to} 抽样{self.percent}%（{self.picked}件）"


class RevisitMethod(models.TextChoices):
    PHONE = "phone", "电话"
    VISIT = "visit", "上门"
    SMS = "sms", "短信"


class Revisit(models.Model):
    """回访 of a closed appeal: planned by a sample, then done with its outcome (or recorded directly)."""

    class State(models.TextChoices):
        PLANNED = "planned", "待回访"
        DONE = "done", "已回访"

    appeal = models.ForeignKey(Appeal, verbose_name="诉求", on_delete=models.PROTECT, related_name="revisits")
    sample = models.ForeignKey(
        RevisitSample,
        verbose_name="抽样批次",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revisits",
    )
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PLANNED)
    method = models.CharField("回访方式", max_length=10, choices=RevisitMethod.choices, blank=True)
    reached = models.BooleanField("是否联系上", null=True, blank=True)
    satisfaction = models.CharField("满意度", max_length=12, choices=Satisfaction.choices, blank=True)
    resolved = models.BooleanField("问题是否解决", null=True, blank=True)
    comments = models.TextField("回访意见", blank=True)
    reopened = models.BooleanField("因未解决重办", default=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="回访人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    done_at = models.DateTimeField("回访时间", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "回访"
        verbose_name_plural = "回访"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "done_at"], name="revisit_state_done")]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal"], condition=models.Q(state="planned"), name="one_planned_revisit_per_appeal"
            )
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.get_state_display()}"
