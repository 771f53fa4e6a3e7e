"""Endpoints of 工作专班: several departments on one matter, its members, progress log and close."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema, Status
from pydantic import Field

from qinqing.core.errors import InvalidInput, NotVisible
from qinqing.fieldwork import common
from qinqing.fieldwork.taskforces import selectors, services, workflow

router = Router(tags=["政企活动与服务"])


class MemberIn(Schema):
    department_id: int
    person: str = Field(..., max_length=30)
    mobile: str = Field("", max_length=11)
    is_lead: bool = False


class TaskForceIn(Schema):
    name: str = Field(..., max_length=80)
    matter: str = Field(..., max_length=5000)
    members: list[MemberIn]
    appeal_numbers: list[str] = Field([], max_length=1000)


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
    from qinqing.appeals.selectors import appeals_visible_to

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
            tf.appeals.filter(pk__in=appeals_visible_to(user).values("pk")).values_list("number", flat=True)
        ),
        logs=[LogOut(author=x.author_name, note=x.note, created_at=x.created_at) for x in tf.logs.all()],
        actions=[a.name for a in workflow.TASK_FORCES.available(tf, user)],
    )


@router.post("/task-forces", response={201: TaskForceOut}, summary="成立工作专班")
def create_task_force(request, payload: TaskForceIn):
    from qinqing.appeals.selectors import appeals_visible_to

    members = [
        {
            "department": common.department(m.department_id, "members"),
            "person": m.person,
            "mobile": m.mobile,
            "is_lead": m.is_lead,
        }
        for m in payload.members
    ]
    appeals = list(appeals_visible_to(request.auth).filter(number__in=payload.appeal_numbers))
    if len(appeals) != len(set(payload.appeal_numbers)):
        raise InvalidInput("关联诉求编号有误", {"appeal_numbers": ["有诉求编号不存在或不在本区划内"]})
    tf = services.create_task_force(
        by=request.auth, name=payload.name, matter=payload.matter, members=members, appeals=appeals
    )
    return Status(201, _tf_out(tf, request.auth))


@router.get(
    "/task-forces", response=list[TaskForceOut], summary="工作专班（营商办本区划；成员单位本单位参与的）"
)
def task_forces(request):
    return [_tf_out(tf, request.auth) for tf in selectors.task_forces_visible_to(request.auth).distinct()]


class NoteIn(Schema):
    note: str = Field(..., max_length=5000)


@router.post("/task-forces/{tf_id}/logs", response={201: TaskForceOut}, summary="记录专班进展")
def task_force_log(request, tf_id: int, payload: NoteIn):
    tf = selectors.task_forces_visible_to(request.auth).filter(pk=tf_id).distinct().first()
    if tf is None:
        raise NotVisible("未找到该专班")
    services.log_task_force(task_force=tf, by=request.auth, note=payload.note)
    return Status(201, _tf_out(tf, request.auth))
