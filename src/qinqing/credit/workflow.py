"""What can happen next to an objection or repair request, and to a 信易贷 request, and who may do it.

Parties are relations of a user to the request: the enterprise it concerns (OWNER), the listing authority's
staff (AUTHORITY: a handler of the authority department, or a head of it or of a unit above it; when the list's
authority is not in the system, the office of the enterprise's region stands in), the office of the enterprise's
region (OFFICE, for loans).
"""

from __future__ import annotations

from qinqing.accounts.models import Role
from qinqing.core.workflow import Action, Machine, table
from qinqing.credit.models import CreditList, CreditRequest, LoanRequest

OWNER = "owner"
AUTHORITY = "authority"
OFFICE = "office"

R = CreditRequest.State

REQUEST_ACTIONS = table(
    [
        Action("accept", "支持申请", (R.SUBMITTED,), R.ACCEPTED, frozenset({AUTHORITY})),
        Action("refuse", "不予支持", (R.SUBMITTED,), R.REFUSED, frozenset({AUTHORITY})),
        Action("withdraw", "撤回申请", (R.SUBMITTED,), R.WITHDRAWN, frozenset({OWNER})),
    ]
)


def is_authority(credit_list: CreditList, user, enterprise=None) -> bool:
    if not user.is_authenticated:
        return False
    authority = credit_list.authority
    if authority is not None:
        if user.role == Role.HANDLER and user.department_id:
            return user.department_id == authority.pk
        if user.role == Role.DEPT_HEAD and user.department is not None:
            return authority.is_within(user.department)
        return False
    # No authority department in the system: the office of the enterprise's region takes the file.
    return (
        user.role == Role.DISPATCHER
        and user.region is not None
        and enterprise is not None
        and enterprise.region.is_within(user.region)
    )


def request_parties(request: CreditRequest, user) -> set[str]:
    found: set[str] = set()
    if not user.is_authenticated:
        return found
    if user.role == Role.ENTERPRISE and user.enterprise_id == request.enterprise_id:
        found.add(OWNER)
    if is_authority(request.entry.credit_list, user, request.enterprise):
        found.add(AUTHORITY)
    return found


REQUESTS = Machine(REQUEST_ACTIONS, request_parties)

L = LoanRequest.State

LOAN_ACTIONS = table(
    [
        Action("pass", "推送银行", (L.SUBMITTED,), L.PASSED, frozenset({OFFICE})),
        Action("grant", "记录放款", (L.PASSED,), L.GRANTED, frozenset({OFFICE})),
        Action("decline", "记录未获批", (L.SUBMITTED, L.PASSED), L.DECLINED, frozenset({OFFICE})),
        Action("withdraw", "撤回申请", (L.SUBMITTED, L.PASSED), L.WITHDRAWN, frozenset({OWNER})),
    ]
)


def loan_parties(loan: LoanRequest, user) -> set[str]:
    found: set[str] = set()
    if not user.is_authenticated:
        return found
    if user.role == Role.ENTERPRISE and user.enterprise_id == loan.enterprise_id:
        found.add(OWNER)
    if (
        user.role == Role.DISPATCHER
        and user.region is not None
        and loan.enterprise.region.is_within(user.region)
    ):
        found.add(OFFICE)
    return found


LOANS = Machine(LOAN_ACTIONS, loan_parties)
