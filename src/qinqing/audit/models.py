"""The security audit log: one append-only row per login, failed login, logout, lockout, lock release and
session timeout (appeal steps have their own append-only table, ``AppealEvent``).

Nobody edits it: the model refuses to save an existing row or delete one, its queryset refuses ``update()`` and
``delete()``, and on PostgreSQL a trigger refuses UPDATE and DELETE from any client (migration 0002)."""

from django.conf import settings
from django.db import models


class AppendOnly(RuntimeError):
    pass


DETAIL_LABELS = {
    "appeal": "诉求",
    "file": "文件",
    "query": "筛选条件",
    "account": "账号",
    "changes": "变更（原→新）",
    "created": "新建账号",
    "model": "对象类型",
    "object_id": "对象编号",
    "object": "对象",
    "verb": "操作",
    "message": "说明",
    "reason": "原因",
    "ip": "地址",
    "minutes": "锁定分钟",
    "failures": "失败次数",
    "token": "令牌",
    "days": "有效天数",
    "clue": "问题线索",
    "clues": "问题线索",
    "side": "查阅身份",
    "month": "月份",
    "region": "区划",
    "grant": "授权申请",
    "note": "意见",
    "before": "截止",
    "count": "条数",
    "sha256": "SHA-256",
    "out": "归档文件",
}


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("审计记录不可修改")

    def delete(self):
        raise AppendOnly("审计记录不可删除")


class AuditRecord(models.Model):
    class Action(models.TextChoices):
        LOGIN = "login", "登录成功"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOGOUT = "logout", "退出登录"
        LOCKED_OUT = "locked_out", "账号或地址被锁定"
        LOCK_RELEASED = "lock_released", "锁定解除"
        SESSION_EXPIRED = "session_expired", "会话超时退出"
        PASSWORD_CHANGED = "password_changed", "修改密码"
        OTP_ENROLLED = "otp_enrolled", "绑定动态口令"
        OTP_VERIFIED = "otp_verified", "动态口令验证通过"
        OTP_FAILED = "otp_failed", "动态口令错误"
        TOKEN_ISSUED = "token_issued", "签发 API 令牌"
        TOKEN_REVOKED = "token_revoked", "吊销 API 令牌"
        CONTACT_REVEALED = "contact_revealed", "查看完整联系电话"
        EXPORT = "export", "导出数据"
        ADMIN_CHANGE = "admin_change", "后台修改"
        ROLE_CHANGED = "role_changed", "授予或变更角色与范围"
        GRANT_REQUESTED = "grant_requested", "申请授权（待审批）"
        GRANT_APPROVED = "grant_approved", "批准授权"
        GRANT_REFUSED = "grant_refused", "驳回授权"
        GRANT_WITHDRAWN = "grant_withdrawn", "撤回授权申请"
        BREAK_GLASS = "break_glass", "紧急创建超级管理员"
        CLUE_READ = "clue_read", "查阅问题线索"
        HONOURS_PUBLISHED = "honours_published", "发布红黑榜"
        SETTING_CHANGED = "setting_changed", "修改系统设置"
        AUDIT_ARCHIVED = "audit_archived", "归档审计记录"
        SIGNED_UP = "signed_up", "企业自助注册"
        LINK_APPROVED = "link_approved", "通过企业关联申请"
        LINK_REJECTED = "link_rejected", "驳回企业关联申请"
        PASSWORD_RESET = "password_reset", "短信验证找回密码"

    class Outcome(models.TextChoices):
        SUCCESS = "success", "成功"
        FAILURE = "failure", "失败"

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    action = models.CharField("操作", max_length=30, choices=Action.choices)
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    # The account as it was named at the time; the link survives a rename and refuses a deletion
    # (accounts with a history are deactivated, never deleted).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    username = models.CharField("账号", max_length=150, blank=True)
    role = models.CharField("角色", max_length=20, blank=True)
    ip_address = models.GenericIPAddressField("地址", null=True, blank=True)
    user_agent = models.CharField("客户端", max_length=255, blank=True)
    path = models.CharField("入口", max_length=255, blank=True)
    # What the record is about (an appeal's or clue's number, an account, "model#id"), for the auditor's filter.
    target = models.CharField("对象", max_length=200, blank=True, db_index=True)
    detail = models.JSONField("详情", default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = "安全审计记录"
        verbose_name_plural = "安全审计记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["action", "at"], name="audit_action_time")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("审计记录不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("审计记录不可删除")

    @property
    def role_label(self) -> str:
        from qinqing.accounts.models import Role

        return Role(self.role).label if self.role in Role.values else self.role
