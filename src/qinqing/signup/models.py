"""Enterprise self-service: one-time SMS codes (sign-up, password reset) and the request to link a new account to
its enterprise, which the office of the enterprise's region approves or rejects."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from qinqing.accounts.models import User
from qinqing.enterprises.models import Enterprise, Industry, Scale
from qinqing.organisation.models import Region


class VerificationCode(models.Model):
    """One SMS code. Only its keyed hash is kept (``codes.digest``: HMAC with the site's secret and the row's
    salt), never the code; it dies after ``codes.TTL``, ``codes.MAX_ATTEMPTS`` wrong tries or one use."""

    class Purpose(models.TextChoices):
        SIGNUP = "signup", "企业注册"
        RESET = "reset", "找回密码"

    class Sent(models.TextChoices):
        PENDING = "pending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"
        SKIPPED = (
            "skipped",
            "未发送",
        )  # a reset for no account, or over the mobile's daily cap: the same answer

    purpose = models.CharField("用途", max_length=10, choices=Purpose.choices)
    # What the person typed, normalised: the mobile for sign-up, the username or mobile for a reset. Cooldowns
    # count on it, so a reset for an account that does not exist behaves exactly like one that does.
    key = models.CharField("申请标识", max_length=150)
    mobile = models.CharField("手机号码", max_length=11, blank=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64, blank=True)  # empty: no code was sent (nothing can match)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    expires_at = models.DateTimeField("失效时间")
    attempts = models.PositiveSmallIntegerField("错误次数", default=0)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    ip_address = models.GenericIPAddressField("地址", null=True, blank=True)
    sent = models.CharField("发送状态", max_length=10, choices=Sent.choices, default=Sent.PENDING)
    answer = models.CharField("网关返回", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "短信验证码"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["purpose", "key", "-created_at"], name="code_key_recent"),
            models.Index(fields=["mobile", "created_at"], name="code_mobile_day"),
            models.Index(fields=["ip_address", "created_at"], name="code_ip_day"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.created_at:%Y-%m-%d %H:%M}"


class LinkRequest(models.Model):
    """A new enterprise account asks to be linked to its enterprise (统一社会信用代码). Until the office approves,
    the account signs in but sees nothing of any enterprise."""

    class State(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        REJECTED = "rejected", "已驳回"

    applicant = models.ForeignKey(
        User, verbose_name="申请账号", on_delete=models.PROTECT, related_name="link_requests"
    )
    uscc = models.CharField("统一社会信用代码", max_length=18, db_index=True)
    enterprise_name = models.CharField("企业名称", max_length=120)
    industry = models.CharField("行业门类", max_length=1, choices=Industry.choices)
    scale = models.CharField("企业规模", max_length=10, choices=Scale.choices)
    contact_name = models.CharField("联系人", max_length=30)
    mobile = models.CharField("手机号码", max_length=11)
    # The enterprise's region when the code is in the registry, else the one the applicant chose: its office decides.
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name="关联企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="link_requests",
    )
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_by = models.ForeignKey(
        User, verbose_name="审核人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    reason = models.CharField("驳回理由", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "企业关联申请"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "created_at"], name="link_state_time")]

    def __str__(self) -> str:
        return f"{self.enterprise_name}（{self.get_state_display()}）"
