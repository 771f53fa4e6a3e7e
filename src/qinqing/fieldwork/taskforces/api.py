"""Endpoints of 工作专班: several departments on one matter, its members, progress log and close."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema, Status
from pydantic import Field

from qinqing.appeals import selectors as appeal_selectors
from qinqing.fieldwork.taskforces import actions, inputs, selectors, workflow

router = Router(tags=["政企活动与服务"])


class MemberOut(Schema):
    department: str
    person: str
    is_lead: bool


class LogOut(Schema):
    author: str
    note: str
    created_at: dt.datetime


class TaskForceOut(Schema):
    id: int
    name: str
    matter: str
    state: str
    members: list[MemberOut]
    appeals: list[str]
    logs: list[LogOut]
    actions: list[str] = Field([], description="当前用户可执行的操作（log / close）")


def _tf_out(tf, user) -> TaskForceOut:

    return TaskForceOut(
        id=tf.pk,
        name=tf.name,
        matter=tf.matter,
        state=tf.state,
        members=[
            MemberOut(department=m.department.name, person=m.person, is_lead=m.is_lead)
            for m in tf.members.select_related("department")
        ],
        appeals=list(
            tf.appeals.filter(pk__in=appeal_selectors.appeals_visible_to(user).values("pk")).values_list(
                "number", flat=True
            )
        ),
        logs=[LogOut(author=x.author_name, note=x.note, created_at=x.created_at) for x in tf.logs.all()],
        actions=[a.name for a in workflow.TASK_FORCES.available(tf, user)],
    )


@router.post("/task-forces", response={201: TaskForceOut}, summary="成立工作专班")
def create_task_force(request, payload: inputs.TaskForceIn):
    return Status(201, _tf_out(actions.create(request.auth, payload), request.auth))


@router.get(
    "/task-forces", response=list[TaskForceOut], summary="工作专班（营商办本区划；成员单位本单位参与的）"
)
def task_forces(request):
    return [
        _tf_out(tf, request.auth)
        for tf in selectors.task_forces_visible_to(request.auth).select_related("region").distinct()
    ]


@router.post("/task-forces/{tf_id}/logs", response={201: TaskForceOut}, summary="记录专班进展")
def task_force_log(request, tf_id: int, payload: inputs.TaskForceLogIn):
    log = actions.log(request.auth, tf_id, payload)
    return Status(201, _tf_out(log.task_force, request.auth))


@router.post("/task-forces/{tf_id}/close", response=TaskForceOut, summary="专班完成")
def close_task_force(request, tf_id: int, payload: inputs.CloseIn):
    return _tf_out(actions.close(request.auth, tf_id, payload), request.auth)
