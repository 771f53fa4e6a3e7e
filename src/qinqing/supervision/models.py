from django.conf import settings
from django.db import models
from django.utils import timezone

from qinqing.appeals.models import Appeal
from qinqing.organisation.models import Department


class Notification(models.Model):
    """One message in a user's notification centre (站内消息). Email and SMS copies are sent alongside."""

    class Kind(models.TextChoices):
        WARNING = "warning", "临期预警"
        OVERDUE = "overdue", "超期提醒"
        REMINDER = "reminder", "催办通知"
        ESCALATION = "escalation", "升级通报"
        SUPERVISION = "supervision", "督办"
        SUPERVISION_ANSWER = "supervision_answer", "督办回复"
        ANNOUNCEMENT = "announcement", "活动通知"
        CLUE = "clue", "问题线索"
        POLICY = "policy", "政策推送"
        CREDIT = "credit", "信用信息"

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
