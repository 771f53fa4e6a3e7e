"""The policy library (政策文件 → 事项 → 条件), stored match results with their explanation, and the push that
follows (notices to the enterprise's users, tasks for its chief service officer)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from qinqing.enterprises.models import Enterprise
from qinqing.organisation.models import Department, Region

USER = settings.AUTH_USER_MODEL


class Level(models.TextChoices):
    NATIONAL = "national", "国家级"
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县（区）级"


class ItemKind(models.TextChoices):
    SUBSIDY = "subsidy", "奖补"
    RELIEF = "relief", "减免"
    ENTITLEMENT = "entitlement", "权益"
    QUALIFICATION = "qualification", "资质"


class Mode(models.TextChoices):
    AUTOMATIC = "automatic", "免申即享"
    FAST = "fast", "快申快享"
    APPLICATION = "application", "依申请"


class PolicyDocument(models.Model):
    number = models.CharField("文号", max_length=60)
    title = models.CharField("文件名称", max_length=200)
    issuer = models.CharField("发文机关", max_length=100)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    region = models.ForeignKey(Region, verbose_name="适用区划", on_delete=models.PROTECT, related_name="+")
    published_on = models.DateField("发布日期")
    effective_from = models.DateField("施行日期", null=True, blank=True)
    effective_until = models.DateField("有效期至", null=True, blank=True)
    full_text = models.TextField("全文", blank=True)
    source_url = models.CharField("原文链接", max_length=300, blank=True)
    attachment = models.FileField("附件", upload_to="policies/%Y/", blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "政策文件"
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title}（{self.number}）"


class PolicyItem(models.Model):
    """一个政策事项: what an enterprise may get, on which conditions, from which department."""

    document = models.ForeignKey(
        PolicyDocument, verbose_name="政策文件", on_delete=models.PROTECT, related_name="items"
    )
    name = models.CharField("事项名称", max_length=120)
    kind = models.CharField("类别", max_length=15, choices=ItemKind.choices)
    mode = models.CharField("兑现方式", max_length=12, choices=Mode.choices)
    department = models.ForeignKey(
        Department, verbose_name="主管部门", on_delete=models.PROTECT, related_name="policy_items"
    )
    amount_rule = models.CharField(
        "兑现标准",
        max_length=200,
        blank=True,
        help_text="固定 20 / 比例 rnd_last_year 10% / 分档 employees 50:5 100:10",
    )
    amount_cap = models.DecimalField(
        "单个企业上限（万元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    budget = models.DecimalField("资金预算（万元）", max_digits=14, decimal_places=2, null=True, blank=True)
    opens_on = models.DateField("申报开始", null=True, blank=True)
    closes_on = models.DateField("申报截止", null=True, blank=True)
    beneficiaries = models.TextField("惠及对象", blank=True)
    requirements = models.TextField("申报条件", blank=True)
    payout_limit = models.CharField("兑现时限", max_length=100, blank=True)
    address = models.CharField("受理地址", max_length=200, blank=True)
    phone = models.CharField("咨询电话", max_length=40, blank=True)
    active = models.BooleanField("上线", default=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "政策事项"
        ordering = ["document_id", "id"]

    def __str__(self) -> str:
        return self.name


class Condition(models.Model):
    """A machine-checkable condition of an item, citing the clause of the document it comes from
    (operators and attributes: ``policies.conditions``)."""

    item = models.ForeignKey(PolicyItem, on_delete=models.CASCADE, related_name="conditions")
    attribute = models.CharField("属性", max_length=40)
    operator = models.CharField("判断", max_length=20)
    value = models.CharField("取值", max_length=300, blank=True)
    clause = models.CharField("依据条款", max_length=200)
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "事项条件"
        ordering = ["item_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.attribute} {self.operator} {self.value}"


class MatchStatus(models.TextChoices):
    ELIGIBLE = "eligible", "符合条件"
    UNDETERMINED = "undetermined", "待确定"
    INELIGIBLE = "ineligible", "不符合"


class PolicyMatch(models.Model):
    """The stored result of enterprise × item, with the per-condition explanation (``details``), so pages read
    it without re-evaluating. Only pairs worth showing are stored: eligible, undetermined (data missing) and
    ineligible only by credit (blocked, so the enterprise sees why); other ineligible pairs are explained
    live on the item's page."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="policy_matches")
    item = models.ForeignKey(PolicyItem, on_delete=models.CASCADE, related_name="matches")
    status = models.CharField("结果", max_length=12, choices=MatchStatus.choices)
    blocked_by_credit = models.BooleanField("因信用受限", default=False)
    preferred = models.BooleanField("同等条件下优先", default=False)
    details = models.JSONField("条件明细", default=list)
    missing = models.JSONField("改变结果所需", default=list)
    digest = models.CharField(max_length=32)
    gates_digest = models.CharField(max_length=32, blank=True)
    # The first day on which time alone may change the result (an attribute or a credit entry expires, an age
    # threshold passes, the window closes): the daily sweep re-matches pairs past it.
    recheck_on = models.DateField(null=True, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)
    eligible_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "政策匹配结果"
        constraints = [models.UniqueConstraint(fields=["enterprise", "item"], name="uniq_policy_match")]
        indexes = [
            models.Index(fields=["item", "status"], name="match_item_status"),
            models.Index(fields=["recheck_on"], name="match_recheck"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id}×{self.item_id} {self.status}"


class PolicyMute(models.Model):
    """An enterprise does not want pushes about a class of items (it still sees them in 可享政策)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="policy_mutes")
    kind = models.CharField("类别", max_length=15, choices=ItemKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "政策推送屏蔽"
        constraints = [models.UniqueConstraint(fields=["enterprise", "kind"], name="uniq_policy_mute")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.kind}"


class PolicyPush(models.Model):
    """Once per enterprise × item: the enterprise became eligible and was told (or muted). The notification
    rows are the users' own (read or not); this row counts them for the office's figures."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="policy_pushes")
    item = models.ForeignKey(PolicyItem, on_delete=models.CASCADE, related_name="pushes")
    notifications = models.ManyToManyField("supervision.Notification", related_name="+", blank=True)
    muted = models.BooleanField("已屏蔽", default=False)
    pushed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "政策推送"
        constraints = [models.UniqueConstraint(fields=["enterprise", "item"], name="uniq_policy_push")]

    def __str__(self) -> str:
        return f"{self.enterprise_id}×{self.item_id}"


class PolicyTask(models.Model):
    """A task on the chief service officer's workspace: explain the item to the enterprise, then done/not done
    with a note."""

    class State(models.TextChoices):
        OPEN = "open", "待办"
        DONE = "done", "已宣讲"
        NOT_DONE = "not_done", "未完成"

    officer = models.ForeignKey(
        USER, verbose_name="首席服务官", on_delete=models.PROTECT, related_name="policy_tasks"
    )
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="policy_tasks")
    item = models.ForeignKey(PolicyItem, on_delete=models.CASCADE, related_name="tasks")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    note = models.CharField("情况说明", max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "政策宣讲任务"
        ordering = ["state", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["officer", "enterprise", "item"], name="uniq_policy_task")
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.enterprise_id}×{self.item_id}"


class GateRule(models.Model):
    """信易+: a credit gate on an item, citing the measure it applies. ``refuse``: an enterprise on one of the
    lists may not get the item; ``prefer``: one on them ranks first among equals (同等条件下优先)."""

    class Effect(models.TextChoices):
        REFUSE = "refuse", "限制享受"
        PREFER = "prefer", "同等条件下优先"

    item = models.ForeignKey(PolicyItem, on_delete=models.CASCADE, related_name="gates")
    effect = models.CharField("作用", max_length=10, choices=Effect.choices)
    kinds = models.CharField(
        "信用名单种类", max_length=60, help_text="red, serious, abnormal, other（逗号分隔）"
    )
    measure = models.CharField("依据的惩戒或激励措施", max_length=300)

    class Meta:
        verbose_name = verbose_name_plural = "信用闸门规则"
        ordering = ["item_id", "id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.effect} {self.kinds}"


class GateDecision(models.Model):
    """What a gate decided for an enterprise and on what evidence, kept as it was: a later change of the list
    adds a new decision and never edits this one."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="gate_decisions")
    item = models.ForeignKey(PolicyItem, on_delete=models.CASCADE, related_name="gate_decisions")
    rule = models.ForeignKey(GateRule, null=True, on_delete=models.SET_NULL, related_name="decisions")
    effect = models.CharField("作用", max_length=10, choices=GateRule.Effect.choices)
    applies = models.BooleanField("生效")
    measure = models.CharField("依据的措施", max_length=300)
    evidence = models.JSONField("证据快照", default=list)
    decided_on = models.DateField("判定日期")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "信用闸门判定"
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["enterprise", "item"], name="gate_decision_pair")]

    def __str__(self) -> str:
        return f"{self.enterprise_id}×{self.item_id} {self.effect} {self.applies}"
