from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone

from qinqing.appeals.models import Appeal, ClockPause
from qinqing.organisation.models import Department
from qinqing.supervision.notices import CHANNEL_LABELS, Kind


class Notification(models.Model):
    """One message in a user's notification centre (站内消息). Its email and SMS copies are ``NotificationDelivery``
    rows, sent by the worker."""

    Kind = Kind  # the table of notice kinds: supervision/notices.py

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    title = models.CharField("标题", max_length=120)
    body = models.TextField("内容", blank=True)
    url = models.CharField(max_length=200, blank=True)
    appeal = models.ForeignKey(Appeal, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notif_unread")]

    def __str__(self) -> str:
        return self.title


class DeadlineAlert(models.Model):
    """A rung of the escalation ladder reached by one appeal in one step. The unique key makes every rung happen
    once, however many sweeps run and however they overlap."""

    class Rung(models.TextChoices):
        YELLOW = "yellow", "临期预警"
        RED = "red", "超期"
        REMINDER = "reminder", "催办通知"
        ESCALATION = "escalation", "升级通报"

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="deadline_alerts")
    step = models.CharField(max_length=10)
    cycle = models.PositiveSmallIntegerField(
        default=0
    )  # the appeal's reopen count: a reopened case starts again
    rung = models.CharField(max_length=12, choices=Rung.choices)
    deadline = models.DateTimeField()
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "时限预警"
        constraints = [
            models.UniqueConstraint(fields=["appeal", "step", "cycle", "rung"], name="uniq_deadline_alert")
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.step} {self.rung}"


class SupervisionOrder(models.Model):
    """督办: a formal order to a department about one or several appeals, with a date to answer by."""

    class State(models.TextChoices):
        OPEN = "open", "待回复"
        ANSWERED = "answered", "已回复"
        # Every appeal it concerns ended (办结, 不予受理, 撤回, 并案) before an answer came: nothing left to answer.
        SETTLED = "settled", "已结束（诉求均已办结）"

    department = models.ForeignKey(
        Department, verbose_name="督办单位", on_delete=models.PROTECT, related_name="supervision_orders"
    )
    appeals = models.ManyToManyField(Appeal, verbose_name="督办事项", related_name="supervision_orders")
    content = models.TextField("督办要求")
    respond_by = models.DateField("要求回复日期")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    answer = models.TextField("回复", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "督办单"
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"督办 {self.department} {self.respond_by}"

    def light(self, today=None) -> str | None:
        """Green, yellow on the last day, red once the answer date has passed; None when answered."""
        if self.state != self.State.OPEN:
            return None
        today = today or timezone.localdate()
        if today > self.respond_by:
            return "red"
        if today == self.respond_by:
            return "yellow"
        return "green"


class EvaluationWeights(models.Model):
    """Weights of the composite score (the latest row applies). Rates without data are left out and the rest
    re-weighted; each escalation (通报) in the period takes 2 points off."""

    sign = models.PositiveSmallIntegerField("签收及时率权重", default=10)
    on_time = models.PositiveSmallIntegerField("按期办结率权重", default=35)
    resolution = models.PositiveSmallIntegerField("解决率权重", default=20)
    satisfaction = models.PositiveSmallIntegerField("满意率权重", default=35)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "综合评分权重"

    def __str__(self) -> str:
        return f"签收{self.sign} 按期{self.on_time} 解决{self.resolution} 满意{self.satisfaction}"


class HonourList(models.Model):
    """红黑榜 of one region for one month: previewed by the office, then published as a frozen snapshot."""

    region = models.ForeignKey(
        "organisation.Region", verbose_name="区划", on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField("月份（当月1日）")
    red = models.JSONField("红榜", default=list)
    black = models.JSONField("黑榜", default=list)
    all_rows = models.JSONField("全部单位", default=list)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "红黑榜"
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["region", "month"], name="uniq_honour_list")]

    def __str__(self) -> str:
        return f"{self.region} {self.month:%Y-%m} 红黑榜"


class RatingContest(models.Model):
    """A department's objection to a rating it believes mistaken or malicious. The office decides: the rating
    itself always stays on the appeal; an upheld objection marks it contested and leaves it out of the rates."""

    class State(models.TextChoices):
        PENDING = "pending", "待审核"
        UPHELD = "upheld", "申诉成立"
        REJECTED = "rejected", "申诉不成立"

    appeal = models.OneToOneField(Appeal, on_delete=models.CASCADE, related_name="rating_contest")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("申诉理由")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField("处理意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评价申诉"

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.get_state_display()}"


class NotificationDelivery(models.Model):
    """One copy of a notice leaving the building (email, SMS, 企业微信 robot), written with the notice in the caller's
    transaction and sent by the worker (``notify.deliver``): pending until sent, failed after the last attempt,
    with the gateway's answer (request id, code, message) either way."""

    class Channel(models.TextChoices):
        EMAIL = "email", CHANNEL_LABELS["email"]
        SMS = "sms", CHANNEL_LABELS["sms"]
        WECOM = "wecom", CHANNEL_LABELS["wecom"]

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    notification = models.ForeignKey(
        Notification,
        verbose_name="通知",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    address = models.CharField("发送地址", max_length=300)  # email, mobile, or the robot's webhook URL
    department = models.ForeignKey(
        Department, verbose_name="部门", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    template_code = models.CharField("短信模板", max_length=40, blank=True)
    params = models.JSONField("模板参数", default=dict, blank=True)
    subject = models.CharField("标题", max_length=160, blank=True)
    text = models.TextField("内容", blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    request_id = models.CharField("网关请求编号", max_length=80, blank=True)
    answer_code = models.CharField("网关返回码", max_length=80, blank=True)
    answer = models.TextField("网关返回信息", blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    last_attempt_at = models.DateTimeField("最近尝试", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "消息发送记录"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"], name="delivery_status_recent")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.get_status_display()}"

    @property
    def masked_address(self) -> str:
        """A mobile as 138****0001, an email as h***@example.gov.cn, a robot URL without its key."""
        a = self.address
        if self.channel == self.Channel.SMS and len(a) >= 7:
            return a[:3] + "****" + a[-4:]
        if self.channel == self.Channel.EMAIL and "@" in a:
            name, _, host = a.partition("@")
            return f"{name[:1]}***@{host}"
        return a.split("?")[0] + ("?key=…" if "?" in a else "")


class NoticeOptOut(models.Model):
    """A user does not want the email or SMS copy of one notice kind (the in-app message always comes; a
    mandatory kind cannot be turned off, see notices.NOTICES)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_opt_outs"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=NotificationDelivery.Channel.choices)

    class Meta:
        verbose_name = verbose_name_plural = "消息订阅退订"
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="uniq_notice_opt_out")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.channel}"


class DepartmentWebhook(models.Model):
    """A department's 企业微信 group robot: notices that are the department's business are also posted to its group."""

    department = models.OneToOneField(
        Department, verbose_name="部门", on_delete=models.CASCADE, related_name="wecom_webhook"
    )
    url = models.URLField(
        "机器人 Webhook 地址",
        validators=[URLValidator(schemes=["https", "http"])],
        max_length=300,
        help_text="企业微信群机器人的 Webhook 地址，形如 https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…",
    )
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "部门企业微信群机器人"

    def __str__(self) -> str:
        return f"{self.department} 企业微信群机器人"


class PauseReminder(models.Model):
    """A reminder sent about a pause waiting for the enterprise's materials: ``rung`` ``enterprise-N`` (the N-th
    reminder to the enterprise) or ``office``. Unique, so each is sent once however many runs overlap."""

    pause = models.ForeignKey(ClockPause, on_delete=models.CASCADE, related_name="+")
    rung = models.CharField(max_length=20)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "挂起提醒"
        constraints = [models.UniqueConstraint(fields=["pause", "rung"], name="uniq_pause_reminder")]

    def __str__(self) -> str:
        return f"{self.pause_id} {self.rung}"
