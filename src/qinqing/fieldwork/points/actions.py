"""Each contact-point action once, for the page and the API: resolve the references through the selectors, then
call the one service."""

from qinqing.accounts.models import User
from qinqing.core.errors import InvalidInput, NotVisible
from qinqing.fieldwork import common
from qinqing.fieldwork.models import ContactPoint
from qinqing.fieldwork.points import inputs, selectors, services


def designate(by: User, data: inputs.DesignateIn) -> ContactPoint:
    common.require_office(by)
    enterprise = selectors.enterprises_in_reach(by).filter(pk=data.enterprise_id).first()
    if enterprise is None:
        raise InvalidInput("请选择企业", {"enterprise_id": ["请选择本区划内的企业"]})
    return services.designate_contact_point(
        by=by,
        enterprise=enterprise,
        kind=data.kind,
        responsible=data.responsible,
        department=common.department(data.department_id),
    )


def point(by: User, pk: int) -> ContactPoint:
    found = selectors.contact_points_visible_to(by).filter(pk=pk).first()
    if found is None:
        raise NotVisible("未找到该联系点")
    return found


def register_appeal(by: User, point_id: int, data: inputs.ContactAppealIn):
    return services.register_via_contact_point(
        by=by,
        point=point(by, point_id),
        title=data.title,
        content=data.content,
        category=common.category(data.category_id),
    )
