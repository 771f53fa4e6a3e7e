"""Menu entries of the fieldwork pages (see ``core.navigation``)."""

from qinqing.accounts.models import Role, User
from qinqing.core.navigation import register
from qinqing.organisation.models import Department


def _discipline_staff(user: object) -> bool:
    """Staff of a discipline-inspection department (the menu hands over the signed-in user)."""
    return (
        isinstance(user, User)
        and user.department is not None
        and user.department.kind == Department.Kind.DISCIPLINE
    )


register("我的企业", "fieldwork_officer", roles=[Role.OFFICER], order=5)
register("监督员工作台", "fieldwork_supervisor", roles=[Role.SUPERVISOR], order=5)
register("专班", "fieldwork_task_forces", roles=[Role.HANDLER, Role.DEPT_HEAD], order=15)
register(
    "问题线索",
    "fieldwork_clues",
    roles=[Role.HANDLER, Role.DEPT_HEAD],
    order=17,
    when=_discipline_staff,
)
register("政企活动", "fieldwork_meetings", roles=[Role.DISPATCHER, Role.LEADER], order=110, group="政企服务")
register("挂钩企业", "fieldwork_linked", roles=[Role.LEADER], order=115, group="政企服务")
register(
    "服务官季报",
    "fieldwork_officer_report",
    roles=[Role.DISPATCHER, Role.LEADER],
    order=120,
    group="政企服务",
)
register("工作季报", "fieldwork_officer_report", roles=[Role.OFFICER], order=120)
register("特约监督员", "fieldwork_supervisors", roles=[Role.DISPATCHER], order=130, group="政企服务")
register("联系点", "fieldwork_contact_points", roles=[Role.DISPATCHER], order=140, group="政企服务")
register("专班", "fieldwork_task_forces", roles=[Role.DISPATCHER], order=150, group="政企服务")
