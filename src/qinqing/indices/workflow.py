"""The observation's states as a table (see ``core.workflow``): 待核实 → 已核实, or 退回 and entered again.

Parties: ``ENTERER`` (the office of a region containing the observation's region, or the department owning the
indicator — a head also for the units below it), ``VERIFIER`` (that office, or the head of the owning
department), never the person who entered the value; ``SYSTEM`` writes computed leaves.
"""

from __future__ import annotations

from qinqing.accounts.models import Role
from qinqing.core.workflow import Action, Machine, table
from qinqing.indices.models import Observation
from qinqing.indices.models import ObservationState as S

ENTERER = "enterer"
VERIFIER = "verifier"
SYSTEM = "system"


def may_enter(user, indicator, region) -> bool:
    """Whether ``user`` may enter values of ``indicator`` for ``region``."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.role == Role.DISPATCHER and user.region_id:
        return region.is_within(user.region)
    dept = user.department if user.department_id else None
    if dept is None or indicator.owner_id is None or not region.is_within(dept.region):
        return False
    if user.role == Role.HANDLER:
        return indicator.owner_id == dept.pk
    if user.role == Role.DEPT_HEAD:
        return indicator.owner.is_within(dept)
    return False


def may_verify(user, indicator, region) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.role == Role.DISPATCHER and user.region_id:
        return region.is_within(user.region)
    if user.role == Role.DEPT_HEAD and user.department_id and indicator.owner_id:
        return region.is_within(user.department.region) and indicator.owner.is_within(user.department)
    return False


def _parties(obs: Observation, user) -> set[str]:
    if user is None:
        return {SYSTEM}
    found = set()
    if may_enter(user, obs.indicator, obs.region):
        found.add(ENTERER)
    if may_verify(user, obs.indicator, obs.region) and obs.entered_by_id != user.pk:
        found.add(VERIFIER)
    return found


OBSERVATIONS = Machine(
    table(
        [
            Action(
                "revise", "修改数值", (S.PENDING, S.RETURNED, S.VERIFIED), S.PENDING, frozenset({ENTERER})
            ),
            Action("verify", "核实", (S.PENDING,), S.VERIFIED, frozenset({VERIFIER})),
            Action("return", "退回", (S.PENDING,), S.RETURNED, frozenset({VERIFIER})),
            Action(
                "compute", "系统计算", (S.PENDING, S.RETURNED, S.VERIFIED), S.VERIFIED, frozenset({SYSTEM})
            ),
        ]
    ),
    _parties,
)
