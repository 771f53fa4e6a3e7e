"""State changes of the policy app: one transaction each. Every change to an item or its conditions enqueues the
incremental re-match of that item in the same transaction (docs/worker.md)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.core.errors import InvalidInput, NotPermitted, TransitionNotAllowed
from qinqing.organisation.models import Department, Region
from qinqing.policies import amounts, conditions, inputs, matching, selectors, tasks
from qinqing.policies.models import (
    Condition,
    GateRule,
    ItemKind,
    Level,
    Mode,
    PolicyDocument,
    PolicyItem,
    PolicyMute,
    PolicyTask,
)


def _may_publish(by: User) -> None:
    if not selectors.can_publish(by):
        raise NotPermitted("只有营商办或主管部门可以维护政策库")


def _require_manager(by: User, item: PolicyItem) -> None:
    if not selectors.can_manage(by, item):
        raise NotPermitted("只有该事项的主管部门或所在区划营商办可以修改")


@transaction.atomic
def create_document(*, by: User, data: inputs.DocumentIn) -> PolicyDocument:
    _may_publish(by)
    errors: dict[str, list[str]] = {}
    if data.level not in Level.values:
        errors["level"] = ["层级应为 national、province、city 或 county"]
    region = Region.objects.filter(code=data.region_code).first()
    if region is None:
        errors["region_code"] = ["未知的行政区划代码"]
    if data.effective_from and data.effective_until and data.effective_until < data.effective_from:
        errors["effective_until"] = ["有效期不能早于施行日期"]
    if errors:
        raise InvalidInput("政策文件信息有误", errors)
    assert region is not None
    return PolicyDocument.objects.create(region=region, **data.dict(exclude={"region_code"}))


def _check_item(by: User, data: inputs.ItemIn) -> tuple[PolicyDocument, Department]:
    errors: dict[str, list[str]] = {}
    document = PolicyDocument.objects.filter(pk=data.document_id).first()
    if document is None:
        errors["document_id"] = ["未找到该政策文件"]
    department = Department.objects.filter(pk=data.department_id).first()
    if department is None:
        errors["department_id"] = ["未找到该部门"]
    elif by.role in (Role.HANDLER, Role.DEPT_HEAD) and by.department is not None:
        if not department.is_within(by.department):
            errors["department_id"] = ["只能发布本部门的政策事项"]
    elif by.role == Role.DISPATCHER and by.region is not None and not department.region.is_within(by.region):
        errors["department_id"] = ["只能发布本区划部门的政策事项"]
    if data.kind not in ItemKind.values:
        errors["kind"] = [
            "类别应为 subsidy（奖补）、relief（减免）、entitlement（权益）或 qualification（资质）"
        ]
    if data.mode not in Mode.values:
        errors["mode"] = ["兑现方式应为 automatic（免申即享）、fast（快申快享）或 application（依申请）"]
    try:
        amounts.parse(data.amount_rule)
    except ValueError as exc:
        errors["amount_rule"] = [str(exc)]
    if data.opens_on and data.closes_on and data.closes_on < data.opens_on:
        errors["closes_on"] = ["申报截止不能早于申报开始"]
    if errors:
        raise InvalidInput("政策事项信息有误", errors)
    assert document is not None and department is not None
    return document, department


def _item_fields(data: inputs.ItemIn) -> dict:
    fields = data.dict(exclude={"document_id", "department_id"})
    for money in ("amount_cap", "budget"):
        if fields[money] is not None:
            fields[money] = Decimal(str(round(fields[money], 2)))
    return fields


@transaction.atomic
def create_item(*, by: User, data: inputs.ItemIn) -> PolicyItem:
    _may_publish(by)
    document, department = _check_item(by, data)
    item = PolicyItem.objects.create(document=document, department=department, **_item_fields(data))
    tasks.rematch_items.enqueue([item.pk])
    return item


@transaction.atomic
def update_item(*, by: User, item: PolicyItem, data: inputs.ItemIn) -> PolicyItem:
    _require_manager(by, item)
    document, department = _check_item(by, data)
    item = PolicyItem.objects.select_for_update().get(pk=item.pk)
    for name, value in _item_fields(data).items():
        setattr(item, name, value)
    item.document, item.department = document, department
    item.save()
    tasks.rematch_items.enqueue([item.pk])
    return item


def check_condition(attribute: str, operator: str, value: str) -> None:
    """InvalidInput with the field at fault when a condition does not parse (page, API and admin)."""
    try:
        conditions.compile_condition(
            attribute, operator, value, matching.region_lookup([value]) if operator == "region_within" else {}
        )
    except conditions.ConditionError as exc:
        raise InvalidInput("条件有误", {exc.field: [exc.message]}) from None


@transaction.atomic
def add_condition(*, by: User, item: PolicyItem, data: inputs.ConditionIn) -> Condition:
    _require_manager(by, item)
    check_condition(data.attribute, data.operator, data.value)
    position = (item.conditions.aggregate(m=Max("position"))["m"] or 0) + 1
    condition = Condition.objects.create(item=item, position=position, **data.dict())
    PolicyItem.objects.filter(pk=item.pk).update(updated_at=timezone.now())
    tasks.rematch_items.enqueue([item.pk])
    return condition


@transaction.atomic
def remove_condition(*, by: User, condition: Condition) -> None:
    _require_manager(by, condition.item)
    item_id = condition.item_id
    condition.delete()
    PolicyItem.objects.filter(pk=item_id).update(updated_at=timezone.now())
    tasks.rematch_items.enqueue([item_id])


@transaction.atomic
def add_gate(*, by: User, item: PolicyItem, data: inputs.GateIn) -> GateRule:
    _require_manager(by, item)
    errors: dict[str, list[str]] = {}
    if data.effect not in GateRule.Effect.values:
        errors["effect"] = ["作用应为 refuse（限制享受）或 prefer（同等条件下优先）"]
    try:
        kinds = conditions.credit_kinds(data.kinds)
    except conditions.ConditionError as exc:
        errors["kinds"] = [exc.message]
    if errors:
        raise InvalidInput("信用闸门规则有误", errors)
    gate = GateRule.objects.create(item=item, effect=data.effect, kinds=",".join(kinds), measure=data.measure)
    tasks.rematch_items.enqueue([item.pk])
    return gate


@transaction.atomic
def remove_gate(*, by: User, gate: GateRule) -> None:
    _require_manager(by, gate.item)
    item_id = gate.item_id
    gate.delete()
    tasks.rematch_items.enqueue([item_id])


@transaction.atomic
def set_mute(*, by: User, data: inputs.MuteIn) -> bool:
    """An enterprise mutes (or unmutes) the pushes of a class of items."""
    if by.role != Role.ENTERPRISE or by.enterprise_id is None:
        raise NotPermitted("只有企业用户可以设置政策推送")
    if data.kind not in ItemKind.values:
        raise InvalidInput("类别有误", {"kind": ["类别应为 subsidy、relief、entitlement 或 qualification"]})
    if data.muted:
        PolicyMute.objects.get_or_create(enterprise_id=by.enterprise_id, kind=data.kind)
    else:
        PolicyMute.objects.filter(enterprise_id=by.enterprise_id, kind=data.kind).delete()
    return data.muted


@transaction.atomic
def close_task(*, by: User, task: PolicyTask, data: inputs.TaskCloseIn) -> PolicyTask:
    """The officer reports the task done (policy explained) or not done, with a note."""
    # A double click, or the page and the API at once: the row lock makes the second see a closed task.
    task = PolicyTask.objects.select_for_update().get(pk=task.pk)
    if task.officer_id != by.pk:
        raise NotPermitted("只有任务所属的首席服务官可以办结")
    if task.state != PolicyTask.State.OPEN:
        raise TransitionNotAllowed(f"任务已是“{task.get_state_display()}”，不能再次办结")
    if not data.done and not data.note.strip():
        raise InvalidInput("请说明未完成的原因", {"note": ["未完成时请填写情况说明"]})
    task.state = PolicyTask.State.DONE if data.done else PolicyTask.State.NOT_DONE
    task.note, task.closed_at = data.note.strip(), timezone.now()
    task.save(update_fields=["state", "note", "closed_at"])
    return task
