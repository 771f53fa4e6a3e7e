"""Each policy action once, for the page and the API: find the objects through the selectors (invisible →
NotVisible, a 404 like a missing one), then call the one service."""

from __future__ import annotations

from qinqing.accounts.models import Role, User
from qinqing.core.errors import NotPermitted, NotVisible
from qinqing.enterprises import services as enterprise_services
from qinqing.enterprises.models import EnterpriseAttribute
from qinqing.policies import inputs, selectors, services
from qinqing.policies.models import Condition, GateRule, PolicyDocument, PolicyItem, PolicyTask


def declare(by: User, data: inputs.AttributeIn) -> EnterpriseAttribute:
    """企业自报 on its own file."""
    if by.role != Role.ENTERPRISE or by.enterprise_id is None:
        raise NotPermitted("只有企业用户可以填报本企业档案")
    enterprise = selectors.get_file(by, by.enterprise_id)
    return enterprise_services.declare_attribute(
        by=by,
        enterprise=enterprise,
        key=data.key,
        value=data.value,
        as_of=data.as_of,
        valid_until=data.valid_until,
    )


def confirm(by: User, enterprise_id: int, data: inputs.AttributeIn) -> EnterpriseAttribute:
    """部门确认 on a file the department may see."""
    enterprise = selectors.get_file(by, enterprise_id)
    return enterprise_services.confirm_attribute(
        by=by,
        enterprise=enterprise,
        key=data.key,
        value=data.value,
        as_of=data.as_of,
        valid_until=data.valid_until,
    )


def create_document(by: User, data: inputs.DocumentIn) -> PolicyDocument:
    return services.create_document(by=by, data=data)


def create_item(by: User, data: inputs.ItemIn) -> PolicyItem:
    return services.create_item(by=by, data=data)


def update_item(by: User, item_id: int, data: inputs.ItemIn) -> PolicyItem:
    return services.update_item(by=by, item=selectors.get_item(by, item_id), data=data)


def add_condition(by: User, item_id: int, data: inputs.ConditionIn) -> Condition:
    return services.add_condition(by=by, item=selectors.get_item(by, item_id), data=data)


def remove_condition(by: User, item_id: int, condition_id: int) -> None:
    item = selectors.get_item(by, item_id)
    condition = item.conditions.filter(pk=condition_id).first()
    if condition is None:
        raise NotVisible("未找到该条件")
    services.remove_condition(by=by, condition=condition)


def add_gate(by: User, item_id: int, data: inputs.GateIn) -> GateRule:
    return services.add_gate(by=by, item=selectors.get_item(by, item_id), data=data)


def remove_gate(by: User, item_id: int, gate_id: int) -> None:
    item = selectors.get_item(by, item_id)
    gate = item.gates.filter(pk=gate_id).first()
    if gate is None:
        raise NotVisible("未找到该规则")
    services.remove_gate(by=by, gate=gate)


def set_mute(by: User, data: inputs.MuteIn) -> bool:
    return services.set_mute(by=by, data=data)


def close_task(by: User, task_id: int, data: inputs.TaskCloseIn) -> PolicyTask:
    return services.close_task(by=by, task=selectors.get_task(by, task_id), data=data)
