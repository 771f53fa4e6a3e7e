"""The redemption (兑现) case as a table (``core.workflow``), in the shape of ``appeals/workflow.py``.

免申即享 (``Mode.AUTOMATIC``)::

    候选 ──confirm (二次确认, 部门)──▶ 部门已确认 ──accept (意愿 + 账户, 企业)──▶ 企业已确认 ──publish (部门)──▶ 公示中
      └─exclude (理由, 部门)─▶ 部门排除        └─waive (企业)─▶ 企业放弃
    公示中 ──close_publicity (公示期满, 系统)──▶ 待拨付 ──pay (金额、日期、凭证, 部门)──▶ 已拨付
      └─object (本区划企业)─▶ 异议处理中 ──dismiss (营商办)──▶ 待拨付
                                     └─uphold (营商办)──▶ 异议成立

快申快享 / 依申请: an application (with materials) opens the case in 审核中 (there is no separate 申请 state: the
review clock starts when the application arrives) ──approve (部门, within the budget)──▶ 已批准 ──pay──▶ 已拨付;
──refuse (理由, 部门)──▶ 已驳回.

``appeal`` (提出诉求) changes no state: an enterprise may raise it on a refused, excluded or revoked case, or on one
whose government step is past its deadline (the service checks lateness; ``available_actions`` hides it
otherwise). Parties are relations: ``ENTERPRISE`` (a user of the case's enterprise), ``DEPARTMENT`` (a handler of
the item's department, or a head above it), ``OFFICE`` (the dispatcher or leader of a region containing the
enterprise's), ``NEIGHBOUR`` (an enterprise of the region the policy applies to, who may object during 公示) and
``SYSTEM`` (no user: the sweep).

Working-day lengths of the government steps (``core.workcalendar``): ``STEP_DAYS``; the review of an application
takes the item's ``limit_days`` (default 60).
"""

from __future__ import annotations

from qinqing.accounts.models import Role
from qinqing.core.workflow import Action, Machine, table
from qinqing.policies.models import CaseState as S
from qinqing.policies.models import RedemptionCase

ENTERPRISE, DEPARTMENT, OFFICE, NEIGHBOUR, SYSTEM = (
    "enterprise",
    "department",
    "office",
    "neighbour",
    "system",
)

# Working days each government step may take (the review of an application: the item's limit_days).
STEP_DAYS: dict[str, int] = {
    S.CANDIDATE: 10,  # 部门二次确认
    S.ENT_CONFIRMED: 5,  # 部门发布公示
    S.OBJECTED: 10,  # 营商办处理异议
    S.TO_PAY: 15,  # 拨付
    S.APPROVED: 15,  # 拨付
}
PUBLICITY_DAYS = 5  # 公示期（工作日）

_APPEALABLE = (S.REFUSED, S.EXCLUDED, S.REVOKED, *STEP_DAYS, S.REVIEWING)

CASES_ACTIONS = table(
    [
        Action("confirm", "二次确认", (S.CANDIDATE,), S.DEPT_CONFIRMED, frozenset({DEPARTMENT})),
        Action("exclude", "排除", (S.CANDIDATE,), S.EXCLUDED, frozenset({DEPARTMENT})),
        Action("accept", "确认兑现", (S.DEPT_CONFIRMED,), S.ENT_CONFIRMED, frozenset({ENTERPRISE})),
        Action("waive", "放弃兑现", (S.DEPT_CONFIRMED,), S.WAIVED, frozenset({ENTERPRISE})),
        Action("publish", "发布公示", (S.ENT_CONFIRMED,), S.PUBLICITY, frozenset({DEPARTMENT})),
        Action("object", "提出异议", (S.PUBLICITY,), S.OBJECTED, frozenset({NEIGHBOUR})),
        Action("close_publicity", "结束公示", (S.PUBLICITY,), S.TO_PAY, frozenset({SYSTEM})),
        Action("dismiss", "异议不成立", (S.OBJECTED,), S.TO_PAY, frozenset({OFFICE})),
        Action("uphold", "异议成立", (S.OBJECTED,), S.REVOKED, frozenset({OFFICE})),
        Action("approve", "审核通过", (S.REVIEWING,), S.APPROVED, frozenset({DEPARTMENT})),
        Action("refuse", "驳回", (S.REVIEWING,), S.REFUSED, frozenset({DEPARTMENT})),
        Action("pay", "登记拨付", (S.TO_PAY, S.APPROVED), S.PAID, frozenset({DEPARTMENT})),
        Action("appeal", "提出诉求", _APPEALABLE, None, frozenset({ENTERPRISE})),
        Action("escalate", "超期升级", tuple(STEP_DAYS) + (S.REVIEWING,), None, frozenset({SYSTEM})),
    ]
)


def _parties(case: RedemptionCase, user) -> set[str]:
    if user is None:
        return {SYSTEM}
    found: set[str] = set()
    role = user.role
    if role == Role.ENTERPRISE and user.enterprise_id:
        if user.enterprise_id == case.enterprise_id:
            found.add(ENTERPRISE)
        else:
            enterprise = getattr(user, "enterprise", None)
            if enterprise is not None and enterprise.region.is_within(case.item.document.region):
                found.add(NEIGHBOUR)
    elif role == Role.HANDLER and user.department_id == case.item.department_id:
        found.add(DEPARTMENT)
    elif role == Role.DEPT_HEAD and user.department is not None:
        if case.item.department.is_within(user.department):
            found.add(DEPARTMENT)
    elif role in (Role.DISPATCHER, Role.LEADER) and user.region is not None:
        if case.enterprise.region.is_within(user.region):
            found.add(OFFICE)
    return found


CASES = Machine(CASES_ACTIONS, _parties)

# What a person may be offered on a page or in the API (the system's steps are never offered).
OFFERED = tuple(n for n in CASES_ACTIONS if n not in ("close_publicity", "escalate"))


def available_actions(case: RedemptionCase, user, now=None) -> list[Action]:
    found = [a for a in CASES.available(case, user) if a.name in OFFERED]
    if case.state not in (S.REFUSED, S.EXCLUDED, S.REVOKED) and not case.late(now):
        found = [a for a in found if a.name != "appeal"]
    if hasattr(case, "appeal_link"):
        found = [a for a in found if a.name != "appeal"]
    return found
