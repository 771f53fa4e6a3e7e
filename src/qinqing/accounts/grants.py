"""Grants that give case access need a second security administrator (``QINQING_GRANT_APPROVAL``, docs/security.md).

A change of an account's role or scope *gives case access* when afterwards the account, active, holds a role that
reads cases and either it did not before (a new role, a reactivation) or its region, department or enterprise is
not inside the old one (a move or a widening; a narrowing to a sub-unit needs no approval). Such a change made in
the admin does not take effect: the account keeps its role and scope and a ``GrantRequest`` waits; another security
administrator (never the requester) approves it, which applies it, or refuses it; the requester may withdraw it.
Every step is in the security audit log (``qinqing.audit`` listens to the request's rows and the account's)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from qinqing.accounts.models import GrantRequest, Role, User
from qinqing.core.errors import InvalidInput, NotVisible, TransitionNotAllowed
from qinqing.core.workflow import Action, Machine, table
from qinqing.organisation.models import Department, Region

# Roles that read no case: the three administrators (三员分立).
NO_CASE_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})
FIELDS = ("role", "region", "department", "enterprise", "is_active")
BLANK = {"role": Role.ENTERPRISE, "region": "", "department": "", "enterprise": "", "is_active": "True"}

S = GrantRequest.State
REQUESTER, SECOND = "requester", "second_secadmin"
GRANTS = Machine(
    table(
        [
            Action("approve", "批准授权", (S.PENDING,), S.APPROVED, frozenset({SECOND})),
            Action("refuse", "驳回授权", (S.PENDING,), S.REFUSED, frozenset({SECOND})),
            Action("withdraw", "撤回申请", (S.PENDING,), S.WITHDRAWN, frozenset({REQUESTER})),
        ]
    ),
    lambda grant, user: _parties(grant, user),
)


def _parties(grant: GrantRequest, user: User | None) -> set[str]:
    if user is None or not user.is_active or user.role != Role.SECADMIN:
        return set()
    return {REQUESTER} if user.pk == grant.requested_by_id else {SECOND}


def scope_of(user: User) -> dict[str, str]:
    """The account's role and scope as strings (ids for the region, department and enterprise)."""
    return {
        "role": str(user.role),
        "region": str(user.region_id or ""),
        "department": str(user.department_id or ""),
        "enterprise": str(user.enterprise_id or ""),
        "is_active": str(bool(user.is_active)),
    }


def _inside(model: type[Region] | type[Department], new: str, old: str) -> bool:
    if not new:
        return True  # no node: no scope through it
    if not old:
        return False
    if new == old:
        return True
    nodes = {str(n.pk): n for n in model.objects.filter(pk__in=[int(new), int(old)])}
    return new in nodes and old in nodes and nodes[new].is_within(nodes[old])


def gives_case_access(before: dict[str, str], after: dict[str, str]) -> bool:
    if after["role"] in NO_CASE_ROLES or after["is_active"] != "True":
        return False
    if before["is_active"] != "True" or before["role"] != after["role"]:
        return True
    return (
        not _inside(Region, after["region"], before["region"])
        or not _inside(Department, after["department"], before["department"])
        or after["enterprise"] not in ("", before["enterprise"])
    )


def apply_scope(user: User, scope: dict[str, str]) -> None:
    user.role = scope["role"]
    user.region_id = int(scope["region"]) if scope["region"] else None
    user.department_id = int(scope["department"]) if scope["department"] else None
    user.enterprise_id = int(scope["enterprise"]) if scope["enterprise"] else None
    user.is_active = scope["is_active"] == "True"


def request_grant(
    *, account: User, by: User, before: dict[str, str], proposed: dict[str, str]
) -> GrantRequest:
    """Record the change as waiting; the caller has kept `account` at `before`."""
    return GrantRequest.objects.create(account=account, requested_by=by, before=before, proposed=proposed)


@transaction.atomic
def decide(*, grant: GrantRequest, by: User, action: str, note: str = "") -> GrantRequest:
    """Approve (apply the change), refuse or withdraw a waiting grant; one transaction, audited."""
    locked = GrantRequest.objects.select_for_update().get(pk=grant.pk)
    if not _parties(locked, by):
        raise NotVisible("未找到该授权申请")
    GRANTS.check(locked, action, by)
    if action == "approve":
        account = User.objects.select_for_update().get(pk=locked.account_id)
        if scope_of(account) != locked.before:
            raise TransitionNotAllowed("申请之后该账号的角色或范围已有变更，请驳回后重新申请")
        apply_scope(account, locked.proposed)
        try:
            account.clean()
        except ValidationError as exc:
            raise InvalidInput("申请的角色与范围不完整", exc.message_dict) from exc
        account._audit_grant = locked.pk  # type: ignore[attr-defined]  # the role_changed record names it
        account.save()
    locked.state = GRANTS.actions[action].target or locked.state
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.note = note.strip()
    locked.save()
    return locked
