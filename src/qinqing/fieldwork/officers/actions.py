"""Each service-officer action once, for the page and the API: resolve the references through the selectors,
then call the one service."""

from qinqing.accounts.models import User
from qinqing.core.errors import InvalidInput, NotVisible
from qinqing.fieldwork import common
from qinqing.fieldwork.models import ServiceAssignment, Visit
from qinqing.fieldwork.officers import inputs, selectors, services


def _served(by: User, pk: int):
    enterprise = selectors.served_enterprise(by, pk)
    if enterprise is None:
        raise NotVisible("该企业不在您的包干服务名单中")
    return enterprise


def register_appeal(by: User, data: inputs.OfficerAppealIn):
    return services.register_for_enterprise(
        by=by,
        enterprise=_served(by, data.enterprise_id),
        title=data.title,
        content=data.content,
        category=common.category(data.category_id),
        urgency=data.urgency,
        idempotency_key=data.idempotency_key,
    )


def log_visit(by: User, data: inputs.VisitIn) -> tuple[Visit, list]:
    enterprise = _served(by, data.enterprise_id)
    return services.log_visit(
        by=by,
        enterprise=enterprise,
        visited_on=data.visited_on,
        people_met=data.people_met,
        findings=data.findings,
        policies=data.policies,
        issues=[
            {
                "category": common.category(i.category_id),
                "content": i.content,
                "title": i.title,
                "urgency": i.urgency,
            }
            for i in data.issues
        ],
    )


def assign(by: User, enterprise_id: int, data: inputs.ServiceAssignIn) -> ServiceAssignment:
    enterprise = selectors.office_enterprise(by, enterprise_id)
    common.require_office(by, enterprise.region)
    target = selectors.assignable(by).filter(pk=data.user_id).first()
    if target is None:
        raise InvalidInput("请选择服务人员", {"user_id": ["请选择服务人员"]})
    return services.assign_officer(
        by=by, enterprise=enterprise, user=target, role=data.role, on=data.on, reason=data.reason
    )
