"""The password policy (等保 2.0 身份鉴别). Staff: at least 10 characters from three of the four classes (upper,
lower, digit, symbol), not containing the username, not a common or demo password, not one of the last 5, and
changed every 90 days (``security.PasswordExpiryMiddleware``). Enterprise users: length and the common lists only
(docs/security.md says why). Django's validator interface, so the admin, password change and reset forms and
``manage.py changepassword`` all apply it."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

CLASSES = (re.compile(r"[A-Z]"), re.compile(r"[a-z]"), re.compile(r"[0-9]"), re.compile(r"[^A-Za-z0-9]"))


def _is_staff(user) -> bool:
    # A user being created in the admin may not have a role yet: the stricter rule applies.
    return user is None or getattr(user, "is_staff_role", True)


def is_demo_password(password: str) -> bool:
    folded = password.strip().lower()
    return any(folded == p.lower() for p in settings.QINQING_DEMO_PASSWORDS)


class StaffComplexityValidator:
    def __init__(self, min_length: int = 10, classes: int = 3):
        self.min_length, self.classes = min_length, classes

    def validate(self, password: str, user=None) -> None:
        if not _is_staff(user):
            return
        errors = []
        if len(password) < self.min_length:
            errors.append(
                ValidationError(f"工作人员密码至少 {self.min_length} 位", code="password_too_short")
            )
        if sum(1 for c in CLASSES if c.search(password)) < self.classes:
            errors.append(
                ValidationError(
                    "密码须包含大写字母、小写字母、数字、符号中的至少三类", code="password_classes"
                )
            )
        username = (getattr(user, "username", "") or "").lower()
        if len(username) >= 3 and username in password.lower():
            errors.append(ValidationError("密码不能包含用户名", code="password_has_username"))
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return f"工作人员密码至少 {self.min_length} 位，包含大写字母、小写字母、数字、符号中的至少三类，且不含用户名。"


class DemoPasswordValidator:
    """The published demo password (and its listed variants) is never a real password."""

    def validate(self, password: str, user=None) -> None:
        if is_demo_password(password):
            raise ValidationError("不能使用演示密码", code="password_demo")

    def get_help_text(self) -> str:
        return "不能使用公开的演示密码。"


class HistoryValidator:
    def __init__(self, keep: int = 5):
        self.keep = keep

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None or not _is_staff(user):
            return
        from qinqing.accounts.models import PasswordHistory

        recent = PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.keep]
        if any(check_password(password, h) for h in [user.password, *recent] if h):
            raise ValidationError(f"不能使用最近 {self.keep} 次用过的密码", code="password_reused")

    def password_changed(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        from qinqing.accounts.models import PasswordHistory

        PasswordHistory.objects.create(user=user, password=user.password)
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[self.keep :]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self) -> str:
        return f"不能与最近 {self.keep} 次的密码相同。"
