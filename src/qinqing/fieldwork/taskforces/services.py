"""Writes of 工作专班: several departments on one matter, its members, progress log and close."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from qinqing.accounts.models import User
from qinqing.appeals import services as appeal_services
from qinqing.appeals.models import Appeal
from qinqing.core.errors import InvalidInput, NotVisible
from qinqing.enterprises.models import Enterprise
from qinqing.fieldwork import common
from qinqing.fieldwork.models import (
    TaskForce,
    TaskForceLog,
    TaskForceMember,
)
from qinqing.fieldwork.taskforces import selectors, workflow


def create_task_force(
    *,
    by: User,
    name: str,
    matter: str,
    members: Sequence[dict],
    enterprise: Enterprise | None = None,
    appeals: Sequence[Appeal] = (),
) -> TaskForce:
    """members: [{department, person, mobile?, is_lead?}], exactly one lead."""
    common.require_office(by)
    name, e1 = common.text(name, "专班名称", 80)
    matter, e2 = common.text(matter, "事项", 5000)
    errors = common.errors(name=e1, matter=e2)
    leads = [m for m in members if m.get("is_lead")]
    if len(members) < 2:
        errors["members"] = ["专班至少需要两个成员单位"]
    elif len(leads) != 1:
        errors["members"] = ["须指定且只能指定一个牵头单位"]
    depts = [m["department"].pk for m in members]
    if len(set(depts)) != len(depts):
        errors.setdefault("members", []).append("成员单位不能重复")
    if any(not (m.get("person") or "").strip() for m in members):
        errors.setdefault("members", []).append("请为每个成员单位填写责任人")
    region = common.region_of(by)
    if any(not a.region.is_within(region) for a in appeals):
        errors["appeal_numbers"] = ["关联诉求须在本区划内"]
    if errors:
        raise InvalidInput("专班信息有误", errors)
    with transaction.atomic():
        tf = TaskForce.objects.create(
            name=name, region=region, matter=matter, enterprise=enterprise, created_by=by
        )
        TaskForceMember.objects.bulk_create(
            [
                TaskForceMember(
                    task_force=tf,
                    department=m["department"],
                    person=m["person"].strip()[:30],
                    mobile=(m.get("mobile") or "")[:11],
                    is_lead=bool(m.get("is_lead")),
                )
                for m in members
            ]
        )
        tf.appeals.set(appeals)
        for a in appeals:
            appeal_services.record_event(a, "note", by, note=f"成立工作专班“{tf.name}”协调办理")
    return tf


def _visible(task_force: TaskForce, by: User) -> None:
    if not selectors.task_forces_visible_to(by).filter(pk=task_force.pk).exists():
        raise NotVisible("未找到该专班")


def _log(task_force: TaskForce, by: User, note: str) -> TaskForceLog:
    note, err = common.text(note, "进展", 5000)
    if err:
        raise InvalidInput("进展有误", {"note": [err]})
    name = by.display_name + (f"（{by.department}）" if by.department_id else "")
    return TaskForceLog.objects.create(task_force=task_force, author=by, author_name=name[:60], note=note)


def log_task_force(*, task_force: TaskForce, by: User, note: str) -> TaskForceLog:
    _visible(task_force, by)
    workflow.TASK_FORCES.check(task_force, "log", by)
    return _log(task_force, by, note)


def close_task_force(*, task_force: TaskForce, by: User, note: str) -> TaskForce:
    _visible(task_force, by)
    step = workflow.TASK_FORCES.check(task_force, "close", by)
    with transaction.atomic():
        _log(task_force, by, note or "专班工作完成")
        task_force.state = common.target_of(step)
        task_force.save(update_fields=["state"])
    return task_force
