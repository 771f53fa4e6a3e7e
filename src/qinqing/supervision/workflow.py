"""What can happen next to a 督办 order and to a rating contest, and who may do it (the shape of
``appeals/workflow.py``). Services check these tables; the order page and the appeal's supervision panel ask
them which forms to show; the API lists the available actions."""

from qinqing.accounts.models import Role
from qinqing.appeals import workflow as appeal_workflow
from qinqing.core.workflow import Action, Machine, table
from qinqing.supervision.models import RatingContest, SupervisionOrder

ORDERED = "ordered"  # staff of the department the order is addressed to (a head: also its sub-units)
OFFICE = appeal_workflow.OFFICE  # a dispatcher whose region contains the ordered department's
ISSUER = "issuer"  # whoever issued the order (a dispatcher or a leader)
SYSTEM = appeal_workflow.SYSTEM  # a step of the order itself (its appeals all ended)

OS = SupervisionOrder.State
ORDER_ACTIONS: dict[str, Action] = table(
    [
        Action("answer", "回复督办", (OS.OPEN,), OS.ANSWERED, frozenset({ORDERED})),
        Action("settle", "结束督办", (OS.OPEN,), OS.SETTLED, frozenset({SYSTEM})),
    ]
)


def order_parties(order: SupervisionOrder, user) -> set[str]:
    found: set[str] = set()
    if user is None:
        return {SYSTEM}
    if not user.is_authenticated:
        return found
    if order.issued_by_id == user.pk:
        found.add(ISSUER)
    if user.role == Role.DISPATCHER and user.region_id and order.department.region.is_within(user.region):
        found.add(OFFICE)
    if user.role in (Role.HANDLER, Role.DEPT_HEAD) and user.department_id:
        own = user.department
        if order.department_id == own.pk or (user.role == Role.DEPT_HEAD and order.department.is_within(own)):
            found.add(ORDERED)
    return found


ORDERS = Machine(ORDER_ACTIONS, order_parties)

C = RatingContest.State
CONTEST_ACTIONS: dict[str, Action] = table(
    [
        Action("uphold", "申诉成立", (C.PENDING,), C.UPHELD, frozenset({OFFICE})),
        Action("reject", "申诉不成立", (C.PENDING,), C.REJECTED, frozenset({OFFICE})),
    ]
)


def contest_parties(contest: RatingContest, user) -> set[str]:
    # Only the office of the appeal's region decides; the lead department raised it.
    return appeal_workflow.parties(contest.appeal, user) & {OFFICE}


CONTESTS = Machine(CONTEST_ACTIONS, contest_parties)
