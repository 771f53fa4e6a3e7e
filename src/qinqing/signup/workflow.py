"""What can happen to a link request, and who may do it: the office (a dispatcher whose region holds the request's
region) approves or rejects it while it waits."""

from __future__ import annotations

from qinqing.accounts.models import Role
from qinqing.core.workflow import Action, Machine, table
from qinqing.signup.models import LinkRequest

OFFICE, APPLICANT = "office", "applicant"
S = LinkRequest.State

LINKS = Machine(
    table(
        [
            Action("approve", "通过并关联企业", (S.PENDING,), S.APPROVED, frozenset({OFFICE})),
            Action("reject", "驳回申请", (S.PENDING,), S.REJECTED, frozenset({OFFICE})),
        ]
    ),
    lambda request, user: parties(request, user),
)


def parties(request: LinkRequest, user) -> set[str]:
    found: set[str] = set()
    if user is None or not user.is_authenticated or not user.is_active:
        return found
    if user.pk == request.applicant_id:
        found.add(APPLICANT)
    if user.role == Role.DISPATCHER and user.region is not None and request.region.is_within(user.region):
        found.add(OFFICE)
    return found
