"""Sessions and sign-in as 等保 2.0 asks: an idle timeout (shorter for the administrator roles), an absolute
session limit, a password that expires for staff, and the demo password refused outside a demo.

The lockout after repeated failures is django-axes (settings ``AXES_*``); its lock and release are in the audit
log (``qinqing.audit``)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.backends import ModelBackend
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from qinqing.accounts.models import Role
from qinqing.accounts.passwords import is_demo_password

SEEN, STARTED = "qq_seen", "qq_started"
# The session's last-seen stamp is rewritten at most this often, so reading pages does not write every time.
STAMP_EVERY = 60


def idle_limit(user) -> int:
    """Seconds of inactivity after which the session ends."""
    minutes = (
        settings.QINQING_ADMIN_IDLE_MINUTES
        if user.is_superuser or user.role in (Role.SYSADMIN, Role.AUDITOR)
        else settings.QINQING_IDLE_MINUTES
    )
    return minutes * 60


def start_session(request) -> None:
    now = int(time.time())
    request.session[SEEN] = now
    request.session[STARTED] = now


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            seen = request.session.get(SEEN, now)
            started = request.session.get(STARTED, now)
            if now - seen > idle_limit(user):
                self._end(
                    request,
                    "idle",
                    f"您已超过 {idle_limit(user) // 60} 分钟未操作，为保护账号安全已自动退出，请重新登录。",
                )
            elif now - started > settings.QINQING_SESSION_MAX_HOURS * 3600:
                self._end(
                    request, "absolute", f"登录已超过 {settings.QINQING_SESSION_MAX_HOURS} 小时，请重新登录。"
                )
            elif now - seen >= STAMP_EVERY or STARTED not in request.session:
                request.session[SEEN] = now
                request.session.setdefault(STARTED, started)
        return self.get_response(request)

    @staticmethod
    def _end(request, reason: str, message: str) -> None:
        request.audit_logout_reason = reason
        logout(request)
        if not request.path.startswith("/api/"):
            messages.info(request, message)


class PasswordExpiryMiddleware:
    """Staff whose password is older than the limit change it before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.is_staff_role
            and settings.QINQING_PASSWORD_MAX_AGE_DAYS
            and request.method == "GET"
            and not request.path.startswith(("/api/", "/static/", "/logout/", "/password/"))
        ):
            # An account created with a password (the manager does not call set_password) counts from its creation.
            changed = user.password_changed_at or user.date_joined
            if (timezone.now() - changed).days >= settings.QINQING_PASSWORD_MAX_AGE_DAYS:
                messages.warning(
                    request,
                    f"您的密码已超过 {settings.QINQING_PASSWORD_MAX_AGE_DAYS} 天未修改，请先修改密码。",
                )
                return redirect(f"{reverse('password_change')}?next={request.get_full_path()}")
        return self.get_response(request)


class DemoPasswordRefusingBackend(ModelBackend):
    """Outside a demo (``QINQING_ALLOW_DEMO_PASSWORDS`` off, the default when DEBUG is off) an account whose
    password is the published demo password cannot sign in: the attempt counts as a failure."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if password is not None and not settings.QINQING_ALLOW_DEMO_PASSWORDS and is_demo_password(password):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def is_verified(user: object) -> bool:
    """Whether this session's user gave a second factor: django-otp's OTPMiddleware adds ``is_verified()`` to the
    request's user at run time (unknown to the type checker); a user without it has not."""
    check: Callable[[], bool] | None = getattr(user, "is_verified", None)
    return check is not None and check()


def needs_second_factor(user) -> bool:
    return bool(
        settings.QINQING_REQUIRE_OTP
        and user.is_authenticated
        and (user.is_superuser or user.role in settings.QINQING_OTP_ROLES)
    )


class SecondFactorMiddleware:
    """An account that needs a second factor reaches nothing but the code page (and logout) until it has given
    one in this session (django-otp's OTPMiddleware says whether it has)."""

    OPEN = ("/otp/", "/logout/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and needs_second_factor(user)
            and not user.is_verified()
            and not request.path.startswith(self.OPEN)
        ):
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse({"detail": "请先完成动态口令验证"}, status=403)
            return redirect(f"{reverse('second_factor')}?next={request.get_full_path()}")
        return self.get_response(request)


# ---------------------------------------------------------------- 三员分立: what each administrator may do in the admin

REFERENCE_MODELS = (
    "organisation.region",
    "organisation.department",
    "appeals.category",
    "appeals.timelimit",
    "appeals.responsibilitycatalogue",
    "core.calendaroverride",
    "supervision.evaluationweights",
    "enterprises.enterprise",
    "fieldwork.meetingseries",
    "fieldwork.supervisor",
    "fieldwork.contactpoint",
    "fieldwork.serviceassignment",
    "credit.creditlist",
    "credit.financialproduct",
)
ALL = ("view", "add", "change", "delete")
ADMIN_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    # 系统管理员: reference data and the job queue; reads accounts, grants nothing, sees no case.
    Role.SYSADMIN: {
        **{model: ALL for model in REFERENCE_MODELS},
        "enterprises.contact": ("view",),  # shown masked and read-only in the enterprise's page
        "accounts.user": ("view",),
        "django_tasks_db.dbtaskresult": ("view",),
    },
    # 安全管理员: accounts, roles and scopes, tokens, second factors, lockouts; no reference data, no case.
    Role.SECADMIN: {
        "accounts.user": ("view", "add", "change"),
        "accounts.apitoken": ("view", "change"),
        "otp_totp.totpdevice": ("view", "delete"),
        "axes.accessattempt": ("view", "delete"),
    },
    # 安全审计员: the audit logs in the product's own pages; nothing in the admin.
}
SCOPE_FIELDS = (
    "role",
    "region",
    "department",
    "enterprise",
    "is_staff",
    "is_superuser",
    "groups",
    "user_permissions",
)


class RolePermissionBackend:
    """Admin permissions by role (the table above), so no account needs to be a superuser. Authenticates nobody."""

    def authenticate(self, request, **credentials):
        return None

    def _granted(self, user) -> set[str]:
        if not user.is_active or not user.is_staff:
            return set()
        table = ADMIN_PERMISSIONS.get(user.role, {})
        return {
            f"{model.split('.')[0]}.{verb}_{model.split('.')[1]}"
            for model, verbs in table.items()
            for verb in verbs
        }

    def has_perm(self, user, perm, obj=None) -> bool:
        return perm in self._granted(user)

    def has_module_perms(self, user, app_label) -> bool:
        return any(p.startswith(f"{app_label}.") for p in self._granted(user))

    def get_all_permissions(self, user, obj=None) -> set[str]:
        return self._granted(user)
