"""Each task-force action once, for the page and the API: resolve the references through the selectors, then
call the one service."""

from qinqing.accounts.models import User
from qinqing.appeals import selectors as appeal_selectors
from qinqing.core.errors import InvalidInput, NotVisible
from qinqing.fieldwork import common
from qinqing.fieldwork.models import TaskForce, TaskForceLog
from qinqing.fieldwork.taskforces import inputs, selectors, services


def create(by: User, data: inputs.TaskForceIn) -> TaskForce:
    common.require_office(by)
    members = [
        {
            "department": common.department(m.department_id, "members"),
            "person": m.person,
            "mobile": m.mobile,
            "is_lead": m.is_lead,
        }
        for m in data.members
    ]
    appeals = list(
        appeal_selectors.appeals_visible_to(by)
        .filter(number__in=data.appeal_numbers)
        .select_related("region")
    )
    if len(appeals) != len(set(data.appeal_numbers)):
        raise InvalidInput("关联诉求编号有误", {"appeal_numbers": ["有诉求编号不存在或不在本区划内"]})
    return services.create_task_force(
        by=by, name=data.name, matter=data.matter, members=members, appeals=appeals
    )


def task_force(by: User, pk: int) -> TaskForce:
    found = selectors.task_forces_visible_to(by).filter(pk=pk).select_related("region").distinct().first()
    if found is None:
        raise NotVisible("未找到该专班")
    return found


def log(by: User, pk: int, data: inputs.TaskForceLogIn) -> TaskForceLog:
    return services.log_task_force(task_force=task_force(by, pk), by=by, note=data.note)


def close(by: User, pk: int, data: inputs.CloseIn) -> TaskForce:
    return services.close_task_force(task_force=task_force(by, pk), by=by, note=data.note)
