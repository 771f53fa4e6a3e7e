"""The policy library (政策文件 → 事项 → 条件), stored match results with their explanation, the push that
follows (notices to the enterprise's users, tasks for its chief service officer), and redemption (兑现) cases with
their append-only event log (``RedemptionCase``; the machine is ``policies/workflow.py``)."""

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
    limit_days = models.PositiveSmallIntegerField(
        "审核时限（工作日）", default=60, help_text="快申快享、依申请事项自受理申请起的审核时限"
    )
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
    """The stored result of enterprise × item, so lists and figures read it without deciding again. Only pairs
    worth showing are stored: eligible, undetermined (data missing) and ineligible only by credit (blocked, so the
    enterprise sees why); other ineligible pairs are explained live on the item's page. The explanation of a
    stored pair is built live too (``matching.explain_stored``), from the facts as they are; ``digest`` holds
    its condition states, one letter each (满足 M / 不满足 N / 无法判断 U), then "|" and one letter per credit gate
    (applies A / not N), so a run rewrites a row only when the decision changed."""

    # No index of their own: the unique (enterprise, item) and the (item, status) indexes lead with them. No
    # foreign-key constraint in the database either: this table is derived (a run rebuilds it), Django's CASCADE
    # deletes a deleted enterprise's or item's rows, and a constraint would cost a trigger per row written (half
    # the time of a full run) or, dropped for a load, a lock on the registry for its whole length.
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="policy_matches",
        db_index=False,
        db_constraint=False,
    )
    item = models.ForeignKey(
        PolicyItem, on_delete=models.CASCADE, related_name="matches", db_index=False, db_constraint=False
    )
    status = models.CharField("结果", max_length=12, choices=MatchStatus.choices)
    blocked_by_credit = models.BooleanField("因信用受限", default=False)
    preferred = models.BooleanField("同等条件下优先", default=False)
    digest = models.CharField("条件判定摘要", max_length=120)
    gates_digest = models.CharField(max_length=32, blank=True)
    # Not columns: the explanation ``matching.explain_stored`` attaches to the matches a page shows.
    details: list[dict]
    missing: list[str]
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


class MatchTally(models.Model):
    """The stored matches of an item counted per enterprise region (the enterprise's own region, usually a
    leaf), so the per-item figures sum a few hundred rows instead of grouping millions of matches. Kept by
    ``policies.tallies``: ``apply`` adds the matching engine's changes in its transaction, ``rebuild``
    recomputes from ``PolicyMatch`` (nightly, and after an enterprise moved region)."""

    item = models.ForeignKey(
        PolicyItem, verbose_name="政策事项", on_delete=models.CASCADE, related_name="tallies"
    )
    region = models.ForeignKey(
        Region, verbose_name="企业所在区划", on_delete=models.CASCADE, related_name="+"
    )
    eligible = models.IntegerField("符合条件", default=0)
    undetermined = models.IntegerField("待确定", default=0)
    blocked = models.IntegerField("信用受限", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "政策匹配计数"
        constraints = [models.UniqueConstraint(fields=["item", "region"], name="uniq_match_tally")]

    def __str__(self) -> str:
        return f"{self.item_id}@{self.region_id} {self.eligible}/{self.undetermined}/{self.blocked}"


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


class CaseState(models.TextChoices):
    # 免申即享
    CANDIDATE = "candidate", "候选"
    DEPT_CONFIRMED = "dept_confirmed", "部门已确认"
    EXCLUDED = "excluded", "部门排除"
    ENT_CONFIRMED = "ent_confirmed", "企业已确认"
    WAIVED = "waived", "企业放弃"
    PUBLICITY = "publicity", "公示中"
    OBJECTED = "objected", "异议处理中"
    REVOKED = "revoked", "异议成立"
    TO_PAY = "to_pay", "待拨付"
    # 快申快享 / 依申请
    REVIEWING = "reviewing", "审核中"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "已驳回"
    # both
    PAID = "paid", "已拨付"


# Whose turn it is in each running state: the government's steps carry a deadline and a light.
GOVERNMENT_STATES = (
    CaseState.CANDIDATE,
    CaseState.ENT_CONFIRMED,
    CaseState.OBJECTED,
    CaseState.TO_PAY,
    CaseState.REVIEWING,
    CaseState.APPROVED,
)
FINAL_STATES = (CaseState.EXCLUDED, CaseState.WAIVED, CaseState.REVOKED, CaseState.REFUSED, CaseState.PAID)
# The amount of a case in these states is promised: it counts against the item's budget.
COMMITTED_STATES = (
    CaseState.DEPT_CONFIRMED,
    CaseState.ENT_CONFIRMED,
    CaseState.PUBLICITY,
    CaseState.OBJECTED,
    CaseState.TO_PAY,
    CaseState.APPROVED,
    CaseState.PAID,
)


class Light(models.TextChoices):
    GREEN = "green", "正常"
    YELLOW = "yellow", "临期"
    RED = "red", "超期"


class RedemptionCase(models.Model):
    """One enterprise × item redemption (兑现), from the candidate list (免申即享) or an application (快申快享,
    依申请) to payment or a refusal. States: ``CaseState``; who may do what: ``policies.workflow.CASES``."""

    item = models.ForeignKey(
        PolicyItem, verbose_name="政策事项", on_delete=models.PROTECT, related_name="cases"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="redemption_cases"
    )
    mode = models.CharField("兑现方式", max_length=12, choices=Mode.choices)
    state = models.CharField("状态", max_length=16, choices=CaseState.choices)
    amount = models.DecimalField("核定金额（万元）", max_digits=12, decimal_places=2, null=True, blank=True)
    eligible_since = models.DateTimeField("符合条件起")
    # The enterprise's wish and account (免申即享) or the account it applied with.
    bank_name = models.CharField("开户银行", max_length=100, blank=True)
    account_name = models.CharField("账户名称", max_length=100, blank=True)
    account_no = models.CharField("银行账号", max_length=40, blank=True)
    application = models.TextField("申请说明", blank=True)
    reason = models.CharField("排除、驳回或异议处理理由", max_length=500, blank=True)
    objection_until = models.DateField("公示截止", null=True, blank=True)
    paid_amount = models.DecimalField(
        "拨付金额（万元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    paid_on = models.DateField("拨付日期", null=True, blank=True)
    voucher_no = models.CharField("拨付凭证号", max_length=60, blank=True)
    voucher = models.FileField("拨付凭证", upload_to="redemption/%Y/", blank=True)
    # The running government step: its deadline, when it turns yellow, its length, and whether the sweep
    # has already escalated it (reset at every step, so each late step is escalated once).
    deadline = models.DateTimeField("办理时限", null=True, blank=True)
    yellow_at = models.DateTimeField(null=True, blank=True)
    step_days = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "政策兑现"
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "enterprise"], name="uniq_redemption_case")]
        indexes = [
            models.Index(fields=["state", "deadline"], name="case_state_deadline"),
            models.Index(fields=["item", "state"], name="case_item_state"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id}×{self.item_id} {self.state}"

    @property
    def number(self) -> str:
        return f"DX{self.pk:06d}"

    def light(self, now=None) -> str | None:
        if self.state not in GOVERNMENT_STATES or self.deadline is None:
            return None
        now = now or timezone.now()
        if now > self.deadline:
            return Light.RED
        if self.yellow_at and now >= self.yellow_at:
            return Light.YELLOW
        return Light.GREEN

    def light_label(self) -> str:
        light = self.light()
        return Light(light).label if light else ""

    def late(self, now=None) -> bool:
        return self.light(now) == Light.RED


class CaseEvent(models.TextChoices):
    CANDIDATE = "candidate", "列入候选名单"
    CONFIRMED = "confirmed", "部门二次确认"
    EXCLUDED = "excluded", "部门排除"
    ACCEPTED = "accepted", "企业确认兑现"
    WAIVED = "waived", "企业放弃"
    PUBLISHED = "published", "发布公示"
    OBJECTED = "objected", "公示异议"
    PUBLICITY_ENDED = "publicity_ended", "公示期满无异议"
    DISMISSED = "dismissed", "异议不成立"
    UPHELD = "upheld", "异议成立"
    APPLIED = "applied", "提交申请"
    APPROVED = "approved", "审核通过"
    REFUSED = "refused", "审核驳回"
    PAID = "paid", "资金拨付"
    ESCALATED = "escalated", "超期升级"
    APPEALED = "appealed", "提出诉求"


class RedemptionEvent(models.Model):
    """One immutable row per step of a case: the timeline and the audit trail (never updated or deleted)."""

    case = models.ForeignKey(RedemptionCase, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事件", max_length=20, choices=CaseEvent.choices)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "政策兑现事件"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class RedemptionMaterial(models.Model):
    """A file of an application (申报材料), checked and scanned like an appeal's attachments."""

    case = models.ForeignKey(RedemptionCase, on_delete=models.CASCADE, related_name="materials")
    file = models.FileField(upload_to="redemption/materials/%Y/")
    original_name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "申报材料"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class RedemptionAppeal(models.Model):
    """The appeal (诉求) an enterprise raised with one click on a refused or late case; it lives here because
    appeals is the lower layer and knows nothing of redemption."""

    case = models.OneToOneField(RedemptionCase, on_delete=models.CASCADE, related_name="appeal_link")
    appeal = models.OneToOneField("appeals.Appeal", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "兑现诉求"

    def __str__(self) -> str:
        return f"{self.case_id} → {self.appeal_id}"
