import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from qinqing.enterprises.models import Enterprise
from qinqing.organisation.models import Department, Region


class Role(models.TextChoices):
    ENTERPRISE = "enterprise", "企业用户"
    DISPATCHER = "dispatcher", "营商办调度员"
    HANDLER = "handler", "部门经办人"
    DEPT_HEAD = "dept_head", "部门负责人"
    LEADER = "leader", "领导"
    OFFICER = "officer", "首席服务官/驻点专员"
    SUPERVISOR = "supervisor", "特约监督员"
    SYSADMIN = "sysadmin", "系统管理员"
    SECADMIN = "secadmin", "安全管理员"
    AUDITOR = "auditor", "安全审计员"


class User(AbstractUser):
    """One role per account, with the scope that role needs. Separation of the administrator roles
    (三员分立) means the system administrator manages accounts and reference data but reads no case,
    and the audit administrator reads only the audit log."""

    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.ENTERPRISE)
    full_name = models.CharField("姓名", max_length=30, blank=True)
    region = models.ForeignKey(
        Region, verbose_name="管辖区划", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department,
        verbose_name="所属部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name="所属企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    mobile = models.CharField("手机号码", max_length=11, blank=True)
    # When the password was last set; staff must change it every QINQING_PASSWORD_MAX_AGE_DAYS (等保 2.0).
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def clean(self) -> None:
        super().clean()
        needs: dict[str, tuple[str, str]] = {
            Role.ENTERPRISE: ("enterprise", "企业用户必须关联所属企业"),
            Role.DISPATCHER: ("region", "调度员必须设置管辖区划"),
            Role.LEADER: ("region", "领导必须设置管辖区划"),
            Role.OFFICER: ("region", "首席服务官必须设置服务区划"),
            Role.SUPERVISOR: ("region", "特约监督员必须设置监督区划"),
            Role.HANDLER: ("department", "部门经办人必须设置所属部门"),
            Role.DEPT_HEAD: ("department", "部门负责人必须设置所属部门"),
        }
        need = needs.get(self.role)
        if need and not getattr(self, f"{need[0]}_id"):
            raise ValidationError({need[0]: need[1]})

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    @property
    def is_staff_role(self) -> bool:
        """Everyone but enterprise users: the stricter password policy and its expiry apply."""
        return self.role != Role.ENTERPRISE

    @property
    def is_department_staff(self) -> bool:
        return self.role in (Role.HANDLER, Role.DEPT_HEAD)

    @property
    def is_office(self) -> bool:
        return self.role in (Role.DISPATCHER, Role.LEADER)


class ApiToken(models.Model):
    """A bearer token for API clients. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=60)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用时间", null=True, blank=True)
    revoked = models.BooleanField("已吊销", default=False)
    # Every token expires (QINQING_API_TOKEN_DAYS, at most a year); null only for tokens issued before expiry
    # existed, which migration 0004 gave the default term from that day.
    expires_at = models.DateTimeField("到期时间", null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user: User, name: str, days: int | None = None) -> tuple["ApiToken", str]:
        from django.conf import settings

        raw = "qq_" + secrets.token_urlsafe(32)
        expires = timezone.now() + dt.timedelta(days=days or settings.QINQING_API_TOKEN_DAYS)
        token = cls.objects.create(
            user=user, name=name, key_hash=cls.hash(raw), prefix=raw[:8], expires_at=expires
        )
        return token, raw

    @classmethod
    def owner(cls, raw: str, *, stale_before: dt.datetime) -> "User | None":
        """The active user holding the unrevoked token `raw`, or None. The user carries ``token_id`` and
        ``token_stale`` (the token's last use is unknown or before `stale_before`); its region, department and
        enterprise load when first used.

        Every API request runs this, so it is one ``raw()`` join (public API, portable SQL, the same on SQLite
        and PostgreSQL): the ORM's compilation of the equivalent select_related query cost about three times
        as much CPU as the whole lookup does this way."""
        users, tokens = User._meta.db_table, cls._meta.db_table
        sql = (
            "SELECT u.*, t.id AS token_id, (t.last_used_at IS NULL OR t.last_used_at < %s) AS token_stale "  # noqa: S608 - our table names; values are parameters
            f"FROM {users} u JOIN {tokens} t ON t.user_id = u.id "
            "WHERE t.key_hash = %s AND t.revoked = %s AND u.is_active = %s AND t.expires_at > %s"
        )
        now = timezone.now()
        return next(iter(User.objects.raw(sql, [stale_before, cls.hash(raw), False, True, now])), None)

    @property
    def state(self) -> str:
        if self.revoked:
            return "已吊销"
        if self.expires_at is None or self.expires_at <= timezone.now():
            return "已过期"
        return "有效"


class PasswordHistory(models.Model):
    """The hashes of a user's recent passwords, so the last few cannot be reused."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class GrantRequest(models.Model):
    """A change of an account's role or scope that gives it case access, waiting for a second security
    administrator (``QINQING_GRANT_APPROVAL``): the account keeps its old role and scope until approved."""

    class State(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REFUSED = "refused", "已驳回"
        WITHDRAWN = "withdrawn", "已撤回"

    account = models.ForeignKey(
        User, verbose_name="账号", on_delete=models.PROTECT, related_name="grant_requests"
    )
    requested_by = models.ForeignKey(User, verbose_name="申请人", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    # The account's role and scope when asked (so an approval of a stale request is refused) and as proposed:
    # {"role": ..., "region": id, "department": id, "enterprise": id, "is_active": "True"}, values as strings.
    before = models.JSONField("原角色与范围")
    proposed = models.JSONField("申请的角色与范围")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        User, verbose_name="审批人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    note = models.CharField("意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "授权申请"
        verbose_name_plural = "授权申请"
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["state", "requested_at"], name="grant_state_time")]

    def __str__(self) -> str:
        return f"授权申请 #{self.pk} {self.account}"
