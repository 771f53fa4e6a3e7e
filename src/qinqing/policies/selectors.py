"""Reads of the policy app, each taking the user.

* the library (documents, items, conditions, gates) is public information: every signed-in user reads it;
* an enterprise's file and its matches: the enterprise itself, the officers serving it, the office of its
  region, the departments of (or above) its region for the file; a department sees the matches of its items.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum

from qinqing.accounts.models import Role, User
from qinqing.core.errors import NotVisible
from qinqing.enterprises.models import AttributeChange, Enterprise, EnterpriseAttribute
from qinqing.enterprises.selectors import enterprises_visible_to
from qinqing.fieldwork.selectors import assigned_enterprise_ids
from qinqing.organisation.models import Department, Region, within
from qinqing.policies.models import (
    CaseState,
    GateDecision,
    MatchTally,
    PolicyDocument,
    PolicyItem,
    PolicyMatch,
    PolicyMute,
    PolicyPush,
    PolicyTask,
    RedemptionCase,
)

# Cases the enterprise has not (yet) acted on: not counted as applied.
NOT_APPLIED = (CaseState.CANDIDATE, CaseState.DEPT_CONFIRMED, CaseState.EXCLUDED)


def _is_department(user: User) -> bool:
    return user.role in (Role.HANDLER, Role.DEPT_HEAD) and user.department_id is not None


def files_visible_to(user: User) -> QuerySet[Enterprise]:
    """Enterprises whose file (一企一档) `user` may open."""
    if user.role == Role.OFFICER:
        return Enterprise.objects.filter(pk__in=assigned_enterprise_ids(user))
    if _is_department(user) and (dept := user.department) is not None:
        return Enterprise.objects.filter(within(dept.region, "region"))
    return enterprises_visible_to(user)


def get_file(user: User, pk: int) -> Enterprise:
    enterprise = files_visible_to(user).select_related("region").filter(pk=pk).first()
    if enterprise is None:
        raise NotVisible("未找到该企业")
    return enterprise


def attributes_of(user: User, enterprise: Enterprise) -> list[EnterpriseAttribute]:
    get_file(user, enterprise.pk)
    return list(
        EnterpriseAttribute.objects.filter(enterprise=enterprise).select_related(
            "recorded_by", "confirmed_by"
        )
    )


def attribute_history(user: User, enterprise: Enterprise, limit: int = 30) -> list[AttributeChange]:
    get_file(user, enterprise.pk)
    return list(AttributeChange.objects.filter(enterprise=enterprise).select_related("by")[:limit])


def documents_visible_to(user: User) -> QuerySet[PolicyDocument]:
    return PolicyDocument.objects.select_related("region")


def items_visible_to(user: User) -> QuerySet[PolicyItem]:
    return PolicyItem.objects.select_related("document", "department")


def get_item(user: User, pk: int) -> PolicyItem:
    item = items_visible_to(user).filter(pk=pk).first()
    if item is None:
        raise NotVisible("未找到该政策事项")
    return item


def can_publish(user: User) -> bool:
    """The office or a department maintains the library (registers documents, publishes items)."""
    return user.role in (Role.DISPATCHER, Role.HANDLER, Role.DEPT_HEAD)


def publishing_departments(user: User) -> QuerySet[Department]:
    """Departments `user` may publish an item for: its own (a head: its subtree), or for an office those of its
    region (the same rule as ``services.create_item``)."""
    qs = Department.objects.select_related("region").order_by("path")
    if user.role in (Role.HANDLER, Role.DEPT_HEAD) and user.department is not None:
        return qs.filter(within(user.department))
    if user.role == Role.DISPATCHER and user.region is not None:
        return qs.filter(within(user.region, "region"))
    return qs.none()


def regions(user: User) -> QuerySet[Region]:
    """The regions a document may apply to (reference data)."""
    return Region.objects.order_by("path")


def items_managed_by(user: User) -> QuerySet[PolicyItem]:
    """Items `user` may edit: its department's (a head: its subtree), or for a dispatcher those of departments in
    its region."""
    qs = items_visible_to(user)
    if user.role == Role.DEPT_HEAD and user.department is not None:
        return qs.filter(within(user.department, "department"))
    if user.role == Role.HANDLER and user.department_id:
        return qs.filter(department_id=user.department_id)
    if user.role == Role.DISPATCHER and user.region is not None:
        return qs.filter(within(user.region, "department__region"))
    return qs.none()


def can_manage(user: User, item: PolicyItem) -> bool:
    return items_managed_by(user).filter(pk=item.pk).exists()


def _match_scope(user: User) -> Q | None:
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        return Q(enterprise_id=user.enterprise_id)
    if user.role == Role.OFFICER:
        return Q(enterprise_id__in=assigned_enterprise_ids(user))
    if user.role in (Role.DISPATCHER, Role.LEADER) and user.region is not None:
        return within(user.region, "enterprise__region")
    if user.role == Role.DEPT_HEAD and user.department is not None:
        return within(user.department, "item__department")
    if user.role == Role.HANDLER and user.department_id:
        return Q(item__department_id=user.department_id)
    return None


def matches_visible_to(user: User) -> QuerySet[PolicyMatch]:
    qs = PolicyMatch.objects.select_related("enterprise", "item", "item__document", "item__department")
    scope = _match_scope(user)
    return qs.none() if scope is None else qs.filter(scope)


def own_matches(user: User) -> QuerySet[PolicyMatch]:
    """可享政策: the enterprise's own list, eligible first, then preferred, then undetermined, then blocked."""
    if user.role != Role.ENTERPRISE or not user.enterprise_id:
        return PolicyMatch.objects.none()
    return matches_visible_to(user).order_by("status", "-preferred", "item__name")


def gate_decisions_of(
    user: User, enterprise: Enterprise, item: PolicyItem | None = None
) -> list[GateDecision]:
    scope = _match_scope(user)
    if scope is None:
        return []
    qs = GateDecision.objects.filter(scope, enterprise=enterprise).select_related("item")
    if item is not None:
        qs = qs.filter(item=item)
    return list(qs[:50])


def mutes_of(user: User) -> set[str]:
    if user.role != Role.ENTERPRISE or not user.enterprise_id:
        return set()
    return set(PolicyMute.objects.filter(enterprise_id=user.enterprise_id).values_list("kind", flat=True))


def tasks_visible_to(user: User) -> QuerySet[PolicyTask]:
    qs = PolicyTask.objects.select_related("enterprise", "item", "officer")
    if user.role == Role.OFFICER:
        return qs.filter(officer=user)
    if user.role in (Role.DISPATCHER, Role.LEADER) and user.region is not None:
        return qs.filter(within(user.region, "enterprise__region"))
    return qs.none()


def get_task(user: User, pk: int) -> PolicyTask:
    task = tasks_visible_to(user).filter(pk=pk).first()
    if task is None:
        raise NotVisible("未找到该任务")
    return task


def _tally_scope(user: User) -> Q | None:
    """The tally rows behind a user's figures: the office's (or leader's) region with the regions below it, a
    handler's department's items, a head's department subtree's items (every region)."""
    if user.role in (Role.DISPATCHER, Role.LEADER) and user.region is not None:
        return within(user.region, "region")
    if user.role == Role.DEPT_HEAD and user.department is not None:
        return within(user.department, "item__department")
    if user.role == Role.HANDLER and user.department_id:
        return Q(item__department_id=user.department_id)
    return None


def item_figures(user: User) -> list[dict]:
    """Per item, for the office of a region (its enterprises) or a department (its items): eligible,
    undetermined and blocked by credit (summed from ``MatchTally``, kept by ``policies.tallies``), notified,
    read, applied (the enterprise confirmed or applied: ``NOT_APPLIED`` excluded) and paid redemption cases."""
    scope = _match_scope(user)
    tally_scope = _tally_scope(user)
    if scope is None or tally_scope is None:
        return []
    counts = {
        item_id: (eligible, undetermined, blocked)
        for item_id, eligible, undetermined, blocked in MatchTally.objects.filter(tally_scope)
        .values("item_id")
        .annotate(e=Sum("eligible"), u=Sum("undetermined"), b=Sum("blocked"))
        .values_list("item_id", "e", "u", "b")
        if eligible or undetermined or blocked
    }
    pushes = PolicyPush.objects.filter(scope, muted=False)
    notified = dict(
        pushes.filter(notifications__isnull=False)
        .values("item_id")
        .annotate(n=Count("enterprise_id", distinct=True))
        .values_list("item_id", "n")
    )
    read = dict(
        pushes.filter(notifications__read_at__isnull=False)
        .values("item_id")
        .annotate(n=Count("enterprise_id", distinct=True))
        .values_list("item_id", "n")
    )
    cases = RedemptionCase.objects.filter(scope)
    applied = dict(
        cases.exclude(state__in=NOT_APPLIED)
        .values("item_id")
        .annotate(n=Count("id"))
        .values_list("item_id", "n")
    )
    paid = dict(
        cases.filter(state=CaseState.PAID)
        .values("item_id")
        .annotate(n=Count("id"))
        .values_list("item_id", "n")
    )
    # Only what a row shows: an item's document carries its full text, hundreds of times over otherwise.
    items = (
        items_visible_to(user)
        .filter(pk__in=set(counts) | set(notified) | set(applied))
        .only(
            "name",
            "document__number",
            "document__published_on",
            "department__name",
            "department__short_name",
        )
    )
    none = (0, 0, 0)
    return [
        {
            "item": item,
            "eligible": counts.get(item.pk, none)[0],
            "undetermined": counts.get(item.pk, none)[1],
            "blocked": counts.get(item.pk, none)[2],
            "notified": notified.get(item.pk, 0),
            "read": read.get(item.pk, 0),
            "applied": applied.get(item.pk, 0),
            "paid": paid.get(item.pk, 0),
        }
        for item in items.order_by("document__published_on", "pk")
    ]
