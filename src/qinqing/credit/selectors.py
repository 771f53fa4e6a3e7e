"""Reads of credit lists, entries, batches and requests.

Two kinds of read:

- **System reads** for deciding (policy gates, 信易贷 conditions, the enterprise file): ``active_entries`` and
  ``active_entries_by_uscc`` answer what is in force for a 统一社会信用代码 on a day, whoever asks; callers show
  the result only to someone who may see the enterprise.
- **User reads**, scoped: an enterprise user sees the entries naming its own enterprise (by code, so an entry
  imported before the enterprise registered is found too); an office or leader the entries naming enterprises of
  its region and the lists whose authority lies in its region; a department's staff the lists their department
  (or, for a head, a unit under it) is the authority of; a service officer the enterprises it serves now. Anything
  else answers ``NotVisible`` (404), exactly like a missing row.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.core.errors import NotVisible
from qinqing.credit.codes import normalise_code
from qinqing.credit.models import (
    CreditEntry,
    CreditEntryQuerySet,
    CreditList,
    CreditRequest,
    FinancialProduct,
    ImportBatch,
    LoanRequest,
)
from qinqing.enterprises.models import Enterprise
from qinqing.organisation.models import containing, within

# ---------------------------------------------------------------- system reads (for decisions, not display)


def active_entries(uscc: str, on: dt.date | None = None) -> list[CreditEntry]:
    """The entries in force for `uscc` (any spelling: normalised here) on day `on` (today), with their lists."""
    code = normalise_code(uscc)
    return list(
        CreditEntry.objects.in_force(on or timezone.localdate())
        .filter(uscc=code, credit_list__active=True)
        .select_related("credit_list", "credit_list__authority")
    )


def active_entries_by_uscc(
    usccs: Iterable[str] | None, on: dt.date | None = None
) -> dict[str, list[CreditEntry]]:
    """``active_entries`` for many codes in one query (``None``: every code with an entry in force): for matching
    many enterprises at once. Codes must be normalised already."""
    qs = (
        CreditEntry.objects.in_force(on or timezone.localdate())
        .filter(credit_list__active=True)
        .select_related("credit_list")
    )
    if usccs is not None:
        qs = qs.filter(uscc__in=list(usccs))
    found: dict[str, list[CreditEntry]] = defaultdict(list)
    for entry in qs:
        found[entry.uscc].append(entry)
    return dict(found)


# ---------------------------------------------------------------- scoped reads


def lists_managed_by(user: User) -> QuerySet[CreditList]:
    """Lists `user` may import into and whose requests it decides: its department's (a head's subtree), or for an
    office the lists whose authority lies in its region."""
    qs = CreditList.objects.select_related("authority")
    if not user.is_authenticated:
        return qs.none()
    if user.role == Role.DEPT_HEAD and user.department is not None:
        return qs.filter(within(user.department, "authority"))
    if user.role == Role.HANDLER and user.department_id:
        return qs.filter(authority_id=user.department_id)
    if user.role in (Role.DISPATCHER, Role.LEADER) and user.region is not None:
        return qs.filter(within(user.region, "authority__region"))
    return qs.none()


def lists_visible_to(user: User) -> QuerySet[CreditList]:
    """The lists themselves (name, basis, authority) are public information: every signed-in user reads them."""
    if not user.is_authenticated:
        return CreditList.objects.none()
    return CreditList.objects.select_related("authority").filter(active=True)


def _entry_scope(user: User) -> Q | None:
    role = user.role
    if role == Role.ENTERPRISE and user.enterprise is not None:
        return Q(uscc=user.enterprise.uscc)
    if role in (Role.DISPATCHER, Role.LEADER) and user.region is not None:
        return within(user.region, "enterprise__region") | within(
            user.region, "credit_list__authority__region"
        )
    if role == Role.DEPT_HEAD and user.department is not None:
        return within(user.department, "credit_list__authority")
    if role == Role.HANDLER and user.department_id:
        return Q(credit_list__authority_id=user.department_id)
    if role == Role.OFFICER:
        from qinqing.fieldwork.officers.selectors import assigned_enterprise_ids

        return Q(enterprise_id__in=assigned_enterprise_ids(user))
    return None


def entries_visible_to(user: User) -> CreditEntryQuerySet:
    qs = CreditEntry.objects.select_related("credit_list", "credit_list__authority", "enterprise")
    if not user.is_authenticated:
        return qs.none()
    scope = _entry_scope(user)
    return qs.none() if scope is None else qs.filter(scope)


def get_entry(user: User, pk: int) -> CreditEntry:
    entry = entries_visible_to(user).filter(pk=pk).first()
    if entry is None:
        raise NotVisible("未找到该名单条目")
    return entry


def entries_for_enterprise(user: User, enterprise: Enterprise) -> list[CreditEntry]:
    """Every entry (in force or ended, newest first) naming `enterprise` that `user` may see: for the enterprise
    itself and the staff who may see it (its region's office, the lists' authorities, its service officer).
    A user who may see none of them gets an empty list; pages that show the enterprise decide its own 404."""
    return list(entries_visible_to(user).filter(uscc=enterprise.uscc))


def batches_visible_to(user: User) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.select_related("credit_list", "imported_by").filter(
        credit_list__in=lists_managed_by(user)
    )


def get_batch(user: User, pk: int) -> ImportBatch:
    batch = batches_visible_to(user).filter(pk=pk).first()
    if batch is None:
        raise NotVisible("未找到该导入批次")
    return batch


def requests_visible_to(user: User) -> QuerySet[CreditRequest]:
    qs = CreditRequest.objects.select_related(
        "entry", "entry__credit_list", "entry__credit_list__authority", "enterprise__region", "submitted_by"
    )
    if not user.is_authenticated:
        return qs.none()
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        return qs.filter(enterprise_id=user.enterprise_id)
    if user.role in (Role.DISPATCHER, Role.LEADER) and user.region is not None:
        return qs.filter(
            within(user.region, "enterprise__region")
            | within(user.region, "entry__credit_list__authority__region")
        )
    managed = lists_managed_by(user)
    if user.role in (Role.HANDLER, Role.DEPT_HEAD):
        return qs.filter(entry__credit_list__in=managed)
    return qs.none()


def get_request(user: User, pk: int) -> CreditRequest:
    found = requests_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise NotVisible("未找到该申请")
    return found


def products_visible_to(user: User) -> QuerySet[FinancialProduct]:
    """Products are published offers: an enterprise sees the active ones for its region (or every region), staff
    all active ones of their region and above."""
    qs = FinancialProduct.objects.select_related("region").filter(active=True)
    if not user.is_authenticated:
        return qs.none()
    region = None
    if user.role == Role.ENTERPRISE and user.enterprise is not None:
        region = user.enterprise.region
    elif user.region is not None:
        region = user.region
    elif user.department is not None:
        region = user.department.region
    if region is None:
        return qs.filter(region__isnull=True)
    return qs.filter(Q(region__isnull=True) | containing(region, "region"))


def get_product(user: User, pk: int) -> FinancialProduct:
    found = products_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise NotVisible("未找到该信贷产品")
    return found


def loans_visible_to(user: User) -> QuerySet[LoanRequest]:
    qs = LoanRequest.objects.select_related("product", "enterprise__region", "submitted_by")
    if not user.is_authenticated:
        return qs.none()
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        return qs.filter(enterprise_id=user.enterprise_id)
    if user.role in (Role.DISPATCHER, Role.LEADER) and user.region is not None:
        return qs.filter(within(user.region, "enterprise__region"))
    return qs.none()


def get_loan(user: User, pk: int) -> LoanRequest:
    found = loans_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise NotVisible("未找到该信易贷申请")
    return found
