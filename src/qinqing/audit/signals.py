"""Every login, failed login, logout, lockout and lock release leaves an audit record."""

from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from qinqing.accounts.models import GrantRequest
from qinqing.accounts.security import SCOPE_FIELDS
from qinqing.accounts.signals import break_glass_used
from qinqing.audit.models import AuditRecord
from qinqing.audit.services import current_request, record

A = AuditRecord.Action
FAILURE = AuditRecord.Outcome.FAILURE


def _label(content_type: ContentType | None) -> str:
    """The admin change's model label; blank when the entry names none (or a model since removed)."""
    model = content_type.model_class() if content_type is not None else None
    return model._meta.label if model is not None else ""


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs) -> None:
    record(A.LOGIN, request=request, user=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        reason = getattr(request, "audit_logout_reason", "")
        record(A.SESSION_EXPIRED if reason else A.LOGOUT, request=request, user=user, reason=reason)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    record(A.LOGIN_FAILED, request=request, username=str(credentials.get("username", "")), outcome=FAILURE)


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs) -> None:
    record(
        A.LOCKED_OUT,
        request=request,
        username=username or "",
        outcome=FAILURE,
        ip=ip_address,
        minutes=int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    )


@receiver(post_delete, sender=AccessAttempt)
def _released(sender, instance: AccessAttempt, **kwargs) -> None:
    # An attempt row is deleted when its cool-off expired, when the user logged in after it, or when an
    # administrator reset it (axes_reset, the admin): a release only if it had reached the lock.
    if instance.failures_since_start >= settings.AXES_FAILURE_LIMIT:
        record(
            A.LOCK_RELEASED,
            username=instance.username or "",
            ip=instance.ip_address,
            failures=instance.failures_since_start,
        )


@receiver(post_save, sender=LogEntry)
def _admin_change(sender, instance: LogEntry, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw:
        return
    verb = {ADDITION: "add", CHANGE: "change", DELETION: "delete"}.get(
        instance.action_flag, str(instance.action_flag)
    )
    record(
        A.ADMIN_CHANGE,
        user=instance.user,
        model=_label(instance.content_type),
        object_id=instance.object_id or "",
        object=instance.object_repr[:200],
        verb=verb,
        message=instance.get_change_message()[:500],
    )


# ---------------------------------------------------------------- grants of roles and scopes

User = get_user_model()
TRACKED = [f for f in SCOPE_FIELDS if f not in ("groups", "user_permissions")] + ["is_active"]


def _scope(user) -> dict:
    return {f: str(getattr(user, f"{f}_id", None) or getattr(user, f, "")) for f in TRACKED}


@receiver(pre_save, sender=User)
def _remember_scope(sender, instance, raw: bool = False, update_fields=None, **kwargs) -> None:
    if raw or instance.pk is None or (update_fields and not set(update_fields) & set(TRACKED)):
        return
    old = User._base_manager.filter(pk=instance.pk).first()
    instance._audit_scope_before = _scope(old) if old else None


@receiver(post_save, sender=User)
def _record_grant(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    before = None if created else getattr(instance, "_audit_scope_before", None)
    if not created and before is None:
        return
    after = _scope(instance)
    changed = {
        f: [before[f] if before else "", after[f]] for f in TRACKED if not before or before[f] != after[f]
    }
    if created and after["role"] and changed:
        changed = {f: v for f, v in changed.items() if v[1] not in ("", "False", "None")}
    if changed:
        request = current_request.get()
        record(
            A.ROLE_CHANGED,
            request=request,
            user=getattr(request, "user", None),
            account=instance.get_username(),
            changes=changed,
            created=created,
            **({"grant": grant} if (grant := getattr(instance, "_audit_grant", None)) else {}),
        )
    instance._audit_scope_before = None
    instance._audit_grant = None


# ---------------------------------------------------------------- grant requests (second security administrator)

GRANT_ACTIONS: dict[str, str] = {
    GrantRequest.State.APPROVED: A.GRANT_APPROVED,
    GrantRequest.State.REFUSED: A.GRANT_REFUSED,
    GrantRequest.State.WITHDRAWN: A.GRANT_WITHDRAWN,
}


@receiver(post_save, sender=GrantRequest)
def _grant_step(sender, instance: GrantRequest, created: bool, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    action = A.GRANT_REQUESTED if created else GRANT_ACTIONS.get(instance.state)
    if action is None:
        return
    changes = {
        f: [instance.before.get(f, ""), instance.proposed.get(f, "")]
        for f in instance.proposed
        if instance.before.get(f, "") != instance.proposed.get(f, "")
    }
    request = current_request.get()
    actor = instance.requested_by if created else instance.decided_by
    record(
        action,
        request=request,
        user=actor,
        account=instance.account.get_username(),
        grant=instance.pk,
        changes=changes,
        **({"note": instance.note} if instance.note else {}),
    )


# ---------------------------------------------------------------- settings: every change with before and after

# The tables whose rows are the county's settings: how appeals route and when they are due, the working calendar,
# the evaluation's weights, the region and department trees. A change from any entry (the admin, a command, a
# shell) is a ``setting_changed`` record naming the fields with their old and new values.
SETTING_MODELS = {
    "appeals.category",
    "appeals.timelimit",
    "appeals.responsibilitycatalogue",
    "core.calendaroverride",
    "supervision.evaluationweights",
    "organisation.region",
    "organisation.department",
}


def _values(instance) -> dict[str, str]:
    out = {}
    for field in instance._meta.concrete_fields:
        if not field.editable:
            continue  # derived (a tree's path) or a change stamp, not a setting
        value = field.value_from_object(instance)
        out[field.attname if field.is_relation else field.name] = "" if value is None else str(value)
    return out


def _is_setting(sender) -> bool:
    # Migrations' historical models ("__fake__") seed reference data before the audit table may exist.
    return sender._meta.label_lower in SETTING_MODELS and sender.__module__ != "__fake__"


@receiver(pre_save)
def _remember_setting(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw or not _is_setting(sender):
        return
    old = sender._base_manager.filter(pk=instance.pk).first() if instance.pk is not None else None
    instance._audit_before = _values(old) if old is not None else None


def _record_setting(instance, verb: str, before: dict | None, after: dict | None) -> None:
    keys = (after or before or {}).keys()
    changes = {
        k: [(before or {}).get(k, ""), (after or {}).get(k, "")]
        for k in keys
        if k != "id" and (before or {}).get(k, "") != (after or {}).get(k, "")
    }
    if verb == "change" and not changes:
        return
    request = current_request.get()
    record(
        A.SETTING_CHANGED,
        request=request,
        user=getattr(request, "user", None),
        model=instance._meta.label,
        object_id=str(instance.pk),
        object=str(instance)[:200],
        verb=verb,
        changes=changes,
    )


@receiver(post_save)
def _setting_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if raw or not _is_setting(sender):
        return
    before = None if created else getattr(instance, "_audit_before", None)
    _record_setting(instance, "add" if created else "change", before, _values(instance))
    instance._audit_before = None


@receiver(post_delete)
def _setting_deleted(sender, instance, **kwargs) -> None:
    if _is_setting(sender):
        _record_setting(instance, "delete", _values(instance), None)


@receiver(break_glass_used)
def _break_glass(sender, user, reason: str, operator: str, **kwargs) -> None:
    record(
        A.BREAK_GLASS,
        username=f"manage.py createsuperuser（服务器账号 {operator or '未知'}）",
        account=user.get_username(),
        reason=reason,
    )
