"""Each supervisor action once, for the page and the API: resolve the input's references through the selectors
(the same way for both), then call the one service. Both surfaces map the domain errors."""

from collections.abc import Sequence

from qinqing.accounts.models import Role, User
from qinqing.audit import services as audit
from qinqing.audit.models import AuditRecord
from qinqing.core.errors import InvalidInput, NotVisible
from qinqing.fieldwork import common
from qinqing.fieldwork.models import Clue, SpotCheck, Supervisor
from qinqing.fieldwork.supervisors import inputs, selectors, services


def submit_clue(by: User, data: inputs.ClueIn) -> Clue:
    return services.submit_clue(
        by=by,
        title=data.title,
        content=data.content,
        department=common.department(data.department_id),
        subject=data.subject,
        occurred_on=data.occurred_on,
    )


def clue(by: User, number: str) -> Clue:
    found = selectors.clues_visible_to(by).filter(number=number).first()
    if found is None:
        raise NotVisible("未找到该线索")
    return found


def record_read(by: User, clues: Sequence[Clue]) -> None:
    """A confidential clue's content read by anyone but its author (the office, the discipline inspectors) is a
    security audit record: one per read, naming the clues (等保 2.0 安全审计)."""
    if by.role == Role.SUPERVISOR or not clues:
        return  # a supervisor sees only their own clues
    side = "营商办" if by.role == Role.DISPATCHER else "纪检监察"
    numbers = [c.number for c in clues]
    if len(numbers) == 1:
        audit.record(AuditRecord.Action.CLUE_READ, user=by, clue=numbers[0], side=side)
    else:
        audit.record(AuditRecord.Action.CLUE_READ, user=by, target=numbers[0], clues=numbers, side=side)


def handle_clue(by: User, number: str, data: inputs.ClueActionIn) -> Clue:
    return services.handle_clue(
        clue=clue(by, number), by=by, action=data.action, note=data.note, finding=data.finding
    )


def spot_check(by: User, data: inputs.SpotCheckIn) -> SpotCheck:
    return services.record_spot_check(
        by=by,
        department=common.department(data.department_id),
        checked_on=data.checked_on,
        items=data.items,
        place=data.place,
        comments=data.comments,
    )


def register_appeal(by: User, data: common.AgentAppealIn):
    services.active_supervisor(by)
    enterprise = selectors.enterprises_in_reach(by).filter(pk=data.enterprise_id).first()
    if enterprise is None:
        raise InvalidInput("该企业不在您的监督区划内", {"enterprise_id": ["该企业不在您的监督区划内"]})
    return services.register_as_supervisor(
        by=by,
        enterprise=enterprise,
        title=data.title,
        content=data.content,
        category=common.category(data.category_id),
        urgency=data.urgency,
    )


def appoint(by: User, data: inputs.AppointIn) -> Supervisor:
    common.require_office(by)
    target = selectors.appointable(by).filter(pk=data.user_id).first()
    if target is None:
        raise InvalidInput("请选择账号", {"user_id": ["请选择特约监督员账号"]})
    return services.appoint_supervisor(
        by=by,
        user=target,
        certificate_no=data.certificate_no,
        background=data.background,
        term_start=data.term_start,
        term_end=data.term_end,
        organisation=data.organisation,
    )
