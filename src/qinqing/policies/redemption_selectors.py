"""Reads of redemption (兑现) cases, each taking the user.

* an enterprise: its own cases (never another's); a published 公示 list of the items of its region, names masked;
* a department: the cases of the items it owns (a head: its subtree's items);
* the office (dispatcher, leader): the cases of enterprises in its region; an officer: those it serves (read only).

Bank accounts are shown whole only to the enterprise itself and the owner department (which pays); everyone else
sees them masked. Figures (``figures``) group the visible cases per item, per department or per region.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from qinqing.accounts.models import Role, User
from qinqing.core import workcalendar
from qinqing.core.errors import NotVisible
from qinqing.fieldwork.selectors import assigned_enterprise_ids
from qinqing.organisation.models import within
from qinqing.policies.models import (
    COMMITTED_STATES,
    CaseState,
    MatchStatus,
    PolicyItem,
    PolicyMatch,
    RedemptionCase,
    RedemptionEvent,
)

NOT_ELIGIBLE = (CaseState.EXCLUDED, CaseState.REFUSED, CaseState.REVOKED)


def _scope(user: User) -> Q | None:
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        return Q(enterprise_id=user.enterprise_id)
    if user.role == Role.HANDLER and user.department_id:
        return Q(item__department_id=user.department_id)
    if user.role == Role.DEPT_HEAD and user.department is not None:
        return within(user.department, "item__department")
    if user.role in (Role.DISPATCHER, Role.LEADER) and user.region is not None:
        return within(user.region, "enterprise__region")
    if user.role == Role.OFFICER:
        return Q(enterprise_id__in=assigned_enterprise_ids(user))
    return None


def cases_visible_to(user: User) -> QuerySet[RedemptionCase]:
    qs = RedemptionCase.objects.select_related(
        "item",
        "item__document",
        "item__document__region",
        "item__department",
        "enterprise",
        "enterprise__region",
        "appeal_link",
        "appeal_link__appeal",
    )
    scope = _scope(user)
    return qs.none() if scope is None else qs.filter(scope)


def get_case(user: User, pk: int) -> RedemptionCase:
    case = cases_visible_to(user).filter(pk=pk).first()
    if case is None:
        raise NotVisible("未找到该兑现事项")
    return case


def publicly_listed(pk: int) -> RedemptionCase | None:
    """A case on a published 公示 list (anyone may read the list; the machine decides who may object)."""
    return (
        RedemptionCase.objects.select_related(
            "item", "item__document", "item__document__region", "item__department", "enterprise__region"
        )
        .filter(pk=pk, state=CaseState.PUBLICITY)
        .first()
    )


def queue(user: User, state: str = "", item_id: int | None = None) -> QuerySet[RedemptionCase]:
    """兑现办理: the running cases, oldest deadline first (those without one last), then oldest case."""
    qs = cases_visible_to(user)
    if state:
        qs = qs.filter(state=state)
    if item_id:
        qs = qs.filter(item_id=item_id)
    return qs.order_by("deadline", "created_at", "pk")


def timeline(user: User, case: RedemptionCase) -> list[RedemptionEvent]:
    get_case(user, case.pk)
    return list(case.events.select_related("actor"))


def sees_account(user: User, case: RedemptionCase) -> bool:
    if user.role == Role.ENTERPRISE:
        return user.enterprise_id == case.enterprise_id
    if user.role == Role.HANDLER:
        return user.department_id == case.item.department_id
    if user.role == Role.DEPT_HEAD and user.department is not None:
        return case.item.department.is_within(user.department)
    return False


def mask_account(number: str) -> str:
    return "" if not number else "＊＊＊＊" + number[-4:]


def mask_name(name: str) -> str:
    """公示 practice: the first two characters and the legal-form suffix stay, the rest is hidden."""
    for suffix in ("股份有限公司", "有限责任公司", "有限公司", "合伙企业", "公司"):
        if name.endswith(suffix) and len(name) > len(suffix) + 2:
            return name[:2] + "＊" * min(4, len(name) - len(suffix) - 2) + suffix
    return name[:2] + "＊" * max(1, min(4, len(name) - 2))


def account_of(user: User, case: RedemptionCase) -> str:
    return case.account_no if sees_account(user, case) else mask_account(case.account_no)


def publicity(user: User, item: PolicyItem) -> list[dict]:
    """公示名单 of an item: its cases in 公示 (and those past it), names masked. Any signed-in user may read the
    list of an item (it is published); an enterprise may object only within the item's region (the machine)."""
    rows = (
        RedemptionCase.objects.filter(
            item=item,
            state__in=(CaseState.PUBLICITY, CaseState.OBJECTED, CaseState.TO_PAY, CaseState.PAID),
            objection_until__isnull=False,
        )
        .select_related("enterprise")
        .order_by("objection_until", "pk")
    )
    return [
        {
            "pk": c.pk,
            "name": mask_name(c.enterprise.name),
            "amount": c.amount,
            "until": c.objection_until,
            "open": c.state == CaseState.PUBLICITY,
            "state": c.get_state_display(),
        }
        for c in rows
    ]


def budget_left(item: PolicyItem) -> Decimal | None:
    """The item's budget minus what its cases have promised (approved, confirmed, paid: the paid amount)."""
    if item.budget is None:
        return None
    return item.budget - committed(item.pk)


def committed(item_id: int) -> Decimal:
    rows = RedemptionCase.objects.filter(item_id=item_id, state__in=COMMITTED_STATES)
    paid = rows.filter(state=CaseState.PAID).aggregate(s=Sum("paid_amount"))["s"] or Decimal(0)
    other = rows.exclude(state=CaseState.PAID).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    return paid + other


def _percentile(values: list[int], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    # Nearest rank: the smallest value with at least `share` of the values at or below it.
    rank = max(1, -(-len(ordered) * share // 1))
    return float(ordered[int(rank) - 1])


GROUPS = {"item": "按事项", "department": "按部门", "region": "按区划"}


def figures(user: User, by: str = "item") -> list[dict]:
    """Amount paid, enterprises paid, working days from eligibility to payment (median, p90), paid ÷ eligible and
    budget left, per item, per owner department or per enterprise region, over the cases `user` sees. Eligible:
    the enterprises with an eligible match of the item (in the same scope) or a case not excluded, refused or
    revoked."""
    if user.role not in (Role.DISPATCHER, Role.LEADER, Role.HANDLER, Role.DEPT_HEAD):
        return []
    scope = _scope(user)
    if scope is None:
        return []
    key_of = {
        "item": ("item_id", "item__name"),
        "department": ("item__department_id", "item__department__name"),
        "region": ("enterprise__region_id", "enterprise__region__name"),
    }[by]
    groups: dict[int, dict] = {}

    def group(key: int, name: str) -> dict:
        return groups.setdefault(
            key,
            {
                "key": key,
                "name": name,
                "eligible": set(),
                "paid": set(),
                "amount": Decimal(0),
                "days": [],
                "items": set(),
            },
        )

    cases = RedemptionCase.objects.filter(scope).values_list(
        *key_of, "item_id", "enterprise_id", "state", "paid_amount", "eligible_since", "paid_on"
    )
    for key, name, item_id, eid, state, paid_amount, since, paid_on in cases:
        g = group(key, name)
        g["items"].add(item_id)
        if state not in NOT_ELIGIBLE:
            g["eligible"].add((item_id, eid))
        if state == CaseState.PAID:
            g["paid"].add((item_id, eid))
            g["amount"] += paid_amount or 0
            if since and paid_on:
                g["days"].append(workcalendar.working_days_between(workcalendar.local_date(since), paid_on))
    match_scope = _match_scope_for_figures(user)
    matches = PolicyMatch.objects.filter(match_scope, status=MatchStatus.ELIGIBLE).values_list(
        *key_of, "item_id", "enterprise_id"
    )
    for key, name, item_id, eid in matches:
        g = group(key, name)
        g["items"].add(item_id)
        g["eligible"].add((item_id, eid))
    item_ids = {i for g in groups.values() for i in g["items"]}
    budgets: dict[int, Decimal] = {
        pk: budget
        for pk, budget in PolicyItem.objects.filter(pk__in=item_ids).values_list("pk", "budget")
        if budget is not None
    }
    promised: dict[int, Decimal] = defaultdict(Decimal)
    for item_id, state, amount, paid_amount in RedemptionCase.objects.filter(
        item_id__in=item_ids, state__in=COMMITTED_STATES
    ).values_list("item_id", "state", "amount", "paid_amount"):
        promised[item_id] += (paid_amount if state == CaseState.PAID else amount) or 0
    out = []
    for g in sorted(groups.values(), key=lambda g: (-g["amount"], g["name"])):
        with_budget = [i for i in g["items"] if i in budgets]
        left = (
            sum((budgets[i] - promised[i] for i in with_budget), Decimal(0))
            if with_budget and by != "region"
            else None
        )
        eligible = len(g["eligible"])
        out.append(
            {
                "key": g["key"],
                "name": g["name"],
                "eligible": eligible,
                "enterprises_paid": len({e for _, e in g["paid"]}),
                "cases_paid": len(g["paid"]),
                "amount_paid": g["amount"],
                "median_days": statistics.median(g["days"]) if g["days"] else None,
                "p90_days": _percentile(g["days"], 0.9),
                "paid_share": round(len(g["paid"]) / eligible, 4) if eligible else None,
                "budget_left": left,
            }
        )
    return out


def _match_scope_for_figures(user: User) -> Q:
    if user.role == Role.HANDLER:
        return Q(item__department_id=user.department_id)
    if user.role == Role.DEPT_HEAD and user.department is not None:
        return within(user.department, "item__department")
    assert user.region is not None
    return within(user.region, "enterprise__region")


def drill_filter(by: str, key: int) -> Q:
    return {
        "item": Q(item_id=key),
        "department": Q(item__department_id=key),
        "region": Q(enterprise__region_id=key),
    }[by]


def paid_working_days(region, start, end) -> list[int]:
    """For the index's computed leaf 惠企政策兑现用时: the working days from eligibility to payment of every case
    paid in [start, end] to an enterprise of ``region`` or the regions below (the same count as ``figures``)."""
    rows = RedemptionCase.objects.filter(
        within(region, "enterprise__region"),
        state=CaseState.PAID,
        paid_on__gte=start,
        paid_on__lte=end,
        eligible_since__isnull=False,
    ).values_list("eligible_since", "paid_on")
    return [
        workcalendar.working_days_between(workcalendar.local_date(since), paid)
        for since, paid in rows
        if since is not None and paid is not None
    ]
