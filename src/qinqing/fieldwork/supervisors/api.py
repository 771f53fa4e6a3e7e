"""Endpoints of 特约监督员: their appointment, confidential problem clues (问题线索), spot checks and the appeals they bring."""

from __future__ import annotations

import datetime as dt

from ninja import Query, Router, Schema, Status
from pydantic import Field

from qinqing.accounts.models import Role
from qinqing.core.errors import InvalidInput, NotPermitted
from qinqing.fieldwork import common, reports
from qinqing.fieldwork.supervisors import actions, inputs, selectors, workflow

router = Router(tags=["政企活动与服务"])

# ---------------------------------------------------------------- supervisors


class ClueOut(Schema):
    number: str
    title: str
    content: str
    department: str | None
    subject: str
    state: str
    state_label: str
    finding: str
    result: str
    created_at: dt.datetime
    supervisor: str
    actions: list[str] = Field(
        [], description="当前用户可执行的操作（accept / dismiss / transfer / conclude）"
    )


def _clue_out(c, user) -> ClueOut:
    return ClueOut(
        number=c.number,
        title=c.title,
        content=c.content,
        department=c.department.name if c.department else None,
        subject=c.subject,
        state=c.state,
        state_label=c.get_state_display(),
        finding=c.finding,
        result=c.result,
        created_at=c.created_at,
        supervisor=c.supervisor.user.display_name,
        actions=[a.name for a in workflow.CLUES.available(c, user)],
    )


@router.post("/clues", response={201: ClueOut}, summary="特约监督员提交问题线索（保密）")
def submit_clue(request, payload: inputs.ClueIn):
    c = actions.submit_clue(request.auth, payload)
    return Status(201, _clue_out(c, request.auth))


@router.get("/clues", response=list[ClueOut], summary="问题线索（本人、营商办、纪检监察机关可见）")
def clues(request, state: str | None = None, limit: int = Query(100, ge=1, le=500)):
    qs = selectors.clues_visible_to(request.auth)
    if state:
        qs = qs.filter(state=state)
    listed = list(qs[:limit])
    actions.record_read(request.auth, listed)  # the list carries each clue's content
    return [_clue_out(c, request.auth) for c in listed]


@router.get("/clues/{number}", response=ClueOut, summary="线索详情")
def clue(request, number: str):
    found = actions.clue(request.auth, number)
    actions.record_read(request.auth, [found])
    return _clue_out(found, request.auth)


@router.post("/clues/{number}/actions", response=ClueOut, summary="处理线索")
def clue_action(request, number: str, payload: inputs.ClueActionIn):
    c = actions.handle_clue(request.auth, number, payload)
    return _clue_out(c, request.auth)


class SpotCheckOut(Schema):
    id: int
    department_id: int
    department: str
    supervisor: str
    checked_on: dt.date
    place: str
    items: dict
    score: int
    comments: str


def _check_out(c) -> SpotCheckOut:
    return SpotCheckOut(
        id=c.pk,
        department_id=c.department_id,
        department=c.department.name,
        supervisor=c.supervisor.user.display_name,
        checked_on=c.checked_on,
        place=c.place,
        items=c.items,
        score=c.score,
        comments=c.comments,
    )


@router.post("/spot-checks", response={201: SpotCheckOut}, summary="特约监督员记录抽查")
def spot_check(request, payload: inputs.SpotCheckIn):
    c = actions.spot_check(request.auth, payload)
    return Status(201, _check_out(c))


@router.get("/spot-checks", response=list[SpotCheckOut], summary="抽查记录")
def spot_checks(request, department_id: int | None = None, limit: int = Query(100, ge=1, le=500)):
    qs = selectors.spot_checks_visible_to(request.auth)
    if department_id:
        qs = qs.filter(department_id=department_id)
    return [_check_out(c) for c in qs[:limit]]


@router.post("/supervisor/appeals", response={201: common.AppealRef}, summary="特约监督员代企业反映诉求")
def supervisor_appeal(request, payload: common.AgentAppealIn):
    a = actions.register_appeal(request.auth, payload)
    return Status(201, common.AppealRef(number=a.number, channel=a.channel))


class SupervisorRowOut(Schema):
    certificate_no: str
    name: str
    background: str
    term_start: dt.date
    term_end: dt.date
    clues: int
    appeals: int
    spot_checks: int
    avg_score: float | None


@router.get("/reports/supervisors", response=list[SupervisorRowOut], summary="特约监督员履职情况")
def supervisor_report(request, start: dt.date, end: dt.date):
    if request.auth.role not in (Role.DISPATCHER, Role.LEADER, Role.SUPERVISOR):
        raise NotPermitted("无权查看特约监督员履职情况")
    if start > end:
        raise InvalidInput("开始日期不能晚于结束日期", {"start": ["开始日期不能晚于结束日期"]})
    return [
        SupervisorRowOut(
            certificate_no=r["supervisor"].certificate_no,
            name=r["supervisor"].user.display_name,
            background=r["supervisor"].get_background_display(),
            term_start=r["supervisor"].term_start,
            term_end=r["supervisor"].term_end,
            clues=r["clues"],
            appeals=r["appeals"],
            spot_checks=r["checks"],
            avg_score=r["avg_score"],
        )
        for r in reports.supervisor_report(request.auth, start, end)
    ]


class SupervisorOut(Schema):
    id: int
    user_id: int
    name: str
    certificate_no: str
    background: str
    region: str
    term_start: dt.date
    term_end: dt.date


@router.post("/supervisors", response={201: SupervisorOut}, summary="聘任特约监督员")
def appoint_supervisor(request, payload: inputs.AppointIn):
    s = actions.appoint(request.auth, payload)
    return Status(
        201,
        SupervisorOut(
            id=s.pk,
            user_id=s.user_id,
            name=s.user.display_name,
            certificate_no=s.certificate_no,
            background=s.get_background_display(),
            region=s.region.name,
            term_start=s.term_start,
            term_end=s.term_end,
        ),
    )
