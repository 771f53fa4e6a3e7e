"""Credit lists (信用名单) and their entries, the import batches that wrote them, objection and repair requests
(异议 / 信用修复), and 信易贷 financial products with the enterprises' loan requests.

An entry is keyed by the 统一社会信用代码 (normalised), never by the registry: a list names enterprises that are
not (yet) in it, and ``enterprise`` is filled whenever the code matches one. An entry is *in force* on a day when
it was decided on or before that day, its display has not passed (``display_until``, the latest end of display)
and it has not been ended (removed from a later file, repaired, objection upheld, or expired by the sweep);
``CreditEntry.objects.in_force(day)`` is the one spelling.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from qinqing.core import workcalendar
from qinqing.enterprises.models import Enterprise
from qinqing.organisation.models import Department, Region


class ListKind(models.TextChoices):
    RED = "red", "守信激励对象名单（红名单）"
    SERIOUS = "serious", "严重失信主体名单"
    ABNORMAL = "abnormal", "经营异常名录"
    OTHER = "other", "其他限制名单"


# Kinds whose entries restrict (a policy may refuse them); the red list rewards instead.
RESTRICTIVE_KINDS = frozenset({ListKind.SERIOUS, ListKind.ABNORMAL, ListKind.OTHER})


class CreditList(models.Model):
    """One list as an authority publishes it (e.g. 市场监管局's 经营异常名录). ``code`` names it for imports; an
    import by kind alone goes to the one list of that kind."""

    code = models.SlugField("名单代码", max_length=40, unique=True)
    kind = models.CharField("名单类型", max_length=10, choices=ListKind.choices)
    name = models.CharField("名单名称", max_length=100)
    legal_basis = models.TextField("设列依据", help_text="法律、法规或政策文件及条款")
    authority = models.ForeignKey(
        Department,
        verbose_name="认定部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_lists",
        help_text="本系统内的认定部门：其工作人员导入名单、办理异议和信用修复",
    )
    authority_name = models.CharField(
        "认定机关名称", max_length=100, blank=True, help_text="认定机关不在本系统时填写（如上级部门）"
    )
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "信用名单"
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def restrictive(self) -> bool:
        return self.kind in RESTRICTIVE_KINDS

    @property
    def authority_label(self) -> str:
        if self.authority_id and self.authority is not None:
            return self.authority.name
        return self.authority_name or "未指定"


class ImportBatch(models.Model):
    """One file received for one list: who sent it, what it did, and every refused row with its reason."""

    class Source(models.TextChoices):
        COMMAND = "command", "命令行"
        PAGE = "page", "页面上传"
        API = "api", "接口"
        SEED = "seed", "演示数据"

    credit_list = models.ForeignKey(
        CreditList, verbose_name="名单", on_delete=models.PROTECT, related_name="batches"
    )
    filename = models.CharField("文件名", max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    encoding = models.CharField("文件编码", max_length=20, blank=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.COMMAND)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="导入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    imported_at = models.DateTimeField("导入时间", default=timezone.now)
    rows = models.PositiveIntegerField("数据行数", default=0)
    added = models.PositiveIntegerField("新增", default=0)
    changed = models.PositiveIntegerField("变更", default=0)
    removed = models.PositiveIntegerField("移出", default=0)
    unchanged = models.PositiveIntegerField("未变", default=0)
    refused = models.PositiveIntegerField("拒收", default=0)
    # [{"line": 7, "uscc": "...", "reason": "第7行：统一社会信用代码校验位不正确"}, ...]
    refused_rows = models.JSONField("拒收行", default=list, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "名单导入批次"
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.credit_list} {self.imported_at:%Y-%m-%d %H:%M}"

    @property
    def summary(self) -> str:
        return f"added={self.added} changed={self.changed} removed={self.removed} refused={self.refused}"


class EndReason(models.TextChoices):
    EXPIRED = "expired", "公示期满"
    REMOVED = "removed", "认定部门移出名单"
    REPAIRED = "repaired", "信用修复"
    OBJECTION = "objection", "异议成立"


class CreditEntryQuerySet(models.QuerySet["CreditEntry"]):
    def in_force(self, on: dt.date) -> "CreditEntryQuerySet":
        """Entries in force on day `on`: decided by then, display not over, not ended before that day ended."""
        _, next_midnight = workcalendar.day_span(on, on)
        return self.filter(
            Q(ended_at__isnull=True) | Q(ended_at__gte=next_midnight),
            decided_on__lte=on,
            display_until__gte=on,
        )


class CreditEntry(models.Model):
    credit_list = models.ForeignKey(
        CreditList, verbose_name="名单", on_delete=models.PROTECT, related_name="entries"
    )
    uscc = models.CharField("统一社会信用代码", max_length=18, db_index=True)
    name = models.CharField("主体名称", max_length=120)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name="企业",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="credit_entries",
    )
    reason = models.TextField("列入事由")
    decision_no = models.CharField("决定文书号", max_length=100, blank=True)
    decided_on = models.DateField("列入日期")
    earliest_end = models.DateField(
        "最短公示期满", null=True, blank=True, help_text="此日之前不得申请信用修复"
    )
    display_until = models.DateField("公示截止", help_text="最长公示期满，此日之后自动移出")
    ended_at = models.DateTimeField("移出时间", null=True, blank=True)
    ended_reason = models.CharField("移出原因", max_length=10, choices=EndReason.choices, blank=True)
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name="最近导入批次",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entries",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CreditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "名单条目"
        ordering = ["-decided_on", "-id"]
        constraints = [
            # One row per decision per list, ever: a re-import finds it again whatever became of it.
            models.UniqueConstraint(
                fields=["credit_list", "uscc", "decision_no"], name="uniq_credit_entry_decision"
            )
        ]
        indexes = [models.Index(fields=["enterprise", "display_until"], name="credit_entry_ent_idx")]

    def __str__(self) -> str:
        return f"{self.credit_list}：{self.name}"

    def in_force(self, on: dt.date | None = None) -> bool:
        """The Python twin of ``CreditEntryQuerySet.in_force``."""
        on = on or timezone.localdate()
        if self.ended_at is not None and workcalendar.local_date(self.ended_at) <= on:
            return False
        return self.decided_on <= on <= self.display_until

    @property
    def status_label(self) -> str:
        if self.ended_at is not None:
            return f"已移出（{self.get_ended_reason_display()}）"
        if self.display_until < timezone.localdate():
            return "公示期满"
        return "公示中"


class CreditEvent(models.Model):
    """One immutable row per thing that happened to an entry or a request: the entry's history."""

    class Kind(models.TextChoices):
        LISTED = "listed", "列入名单"
        CHANGED = "changed", "条目变更"
        RELISTED = "relisted", "重新列入"
        ENDED = "ended", "移出名单"
        REQUESTED = "requested", "提出申请"
        ACCEPTED = "accepted", "申请受理通过"
        REFUSED = "refused", "申请不予支持"
        WITHDRAWN = "withdrawn", "撤回申请"

    entry = models.ForeignKey(CreditEntry, on_delete=models.CASCADE, related_name="events")
    request = models.ForeignKey(
        "CreditRequest", null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "信用记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.get_kind_display()}"


class CreditRequest(models.Model):
    """An enterprise's objection (异议: the entry is wrong) or repair request (信用修复: it has corrected the
    behaviour) about an entry naming it; the listing authority decides within a number of working days."""

    class Kind(models.TextChoices):
        OBJECTION = "objection", "异议申请"
        REPAIR = "repair", "信用修复申请"

    class State(models.TextChoices):
        SUBMITTED = "submitted", "待办理"
        ACCEPTED = "accepted", "已支持"
        REFUSED = "refused", "不予支持"
        WITHDRAWN = "withdrawn", "已撤回"

    entry = models.ForeignKey(
        CreditEntry, verbose_name="名单条目", on_delete=models.PROTECT, related_name="requests"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="credit_requests"
    )
    kind = models.CharField("申请类型", max_length=10, choices=Kind.choices)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.SUBMITTED)
    reason = models.TextField("申请理由")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)
    deadline = models.DateTimeField("办理时限")
    yellow_at = models.DateTimeField("预警时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("办理时间", null=True, blank=True)
    outcome = models.TextField("办理结果", blank=True)
    # When the authority was told the request is overdue (once: the sweep never tells twice).
    overdue_notified_at = models.DateTimeField("超期提醒时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "异议与信用修复申请"
        ordering = ["-submitted_at", "-id"]
        constraints = [
            # One open request of a kind per entry: a second would only race the first.
            models.UniqueConstraint(
                fields=["entry", "kind"],
                condition=Q(state="submitted"),
                name="uniq_open_credit_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.entry}"

    def light(self, now: dt.datetime | None = None) -> str | None:
        """Green, yellow, red while waiting for the authority (as an appeal's light); None once decided."""
        if self.state != self.State.SUBMITTED:
            return None
        now = now or timezone.now()
        if now > self.deadline:
            return "red"
        if now >= self.yellow_at:
            return "yellow"
        return "green"

    @property
    def on_time(self) -> bool | None:
        if self.decided_at is None:
            return None
        return self.decided_at <= self.deadline


class TaxGrade(models.TextChoices):
    A = "A", "A级"
    B = "B", "B级"
    M = "M", "M级"
    C = "C", "C级"
    D = "D", "D级"


class FinancialProduct(models.Model):
    """A 信易贷 credit loan product as a bank offers it, with the conditions it states in words and the few the
    platform checks itself (not on a restrictive list, on the red list)."""

    bank = models.CharField("银行", max_length=60)
    name = models.CharField("产品名称", max_length=80)
    region = models.ForeignKey(
        Region,
        verbose_name="适用区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="留空则全部区划适用",
    )
    amount_min = models.PositiveIntegerField("最低额度（万元）", default=0)
    amount_max = models.PositiveIntegerField("最高额度（万元）")
    rate = models.CharField("参考利率", max_length=60, help_text="如：年化3.45%起")
    term_months = models.PositiveSmallIntegerField("最长期限（月）", default=12)
    conditions = models.TextField("申请条件", blank=True)
    min_tax_grade = models.CharField("纳税信用等级不低于", max_length=1, choices=TaxGrade.choices, blank=True)
    exclude_restricted = models.BooleanField("失信、经营异常主体不可申请", default=True)
    red_list_only = models.BooleanField("仅限红名单企业", default=False)
    contact_name = models.CharField("银行联系人", max_length=30)
    contact_phone = models.CharField("联系电话", max_length=30)
    contact_email = models.EmailField("联系邮箱", blank=True)
    active = models.BooleanField("上架", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "信易贷产品"
        ordering = ["bank", "name"]

    def __str__(self) -> str:
        return f"{self.bank} {self.name}"


class LoanRequest(models.Model):
    """An enterprise's request for a product: passed to the bank's contact, the outcome recorded by the office."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", "已提交"
        PASSED = "passed", "已推送银行"
        GRANTED = "granted", "已放款"
        DECLINED = "declined", "未获批"
        WITHDRAWN = "withdrawn", "已撤回"

    product = models.ForeignKey(
        FinancialProduct, verbose_name="产品", on_delete=models.PROTECT, related_name="requests"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="loan_requests"
    )
    amount = models.PositiveIntegerField("申请金额（万元）")
    purpose = models.TextField("资金用途")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.SUBMITTED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)
    passed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    passed_at = models.DateTimeField("推送时间", null=True, blank=True)
    granted_amount = models.PositiveIntegerField("放款金额（万元）", null=True, blank=True)
    outcome = models.TextField("结果说明", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("记录时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "信易贷申请"
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.product}"
