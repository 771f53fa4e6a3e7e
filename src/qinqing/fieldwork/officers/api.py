"""Endpoints of 首席服务官, 驻点专员 and linked leaders: who serves which enterprise when, their visits and the appeals they register."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Query, Router, Schema, Status

from qinqing.accounts.models import Role
from qinqing.core.errors import NotPermitted
from qinqing.core.inputs import Day
from qinqing.fieldwork import common, reports
from qinqing.fieldwork.officers import actions, inputs, selectors
from qinqing.supervision.evaluation import period_bounds

router = Router(tags=["政企活动与服务"])

# ---------------------------------------------------------------- officers


class AssignmentOut(Schema):
    id: int
    enterprise_id: int
    enterprise: str
    user_id: int
    user: str
    role: str
    role_label: str
    started_on: dt.date
    ended_on: dt.date | None


def _assignment_out(a) -> AssignmentOut:
    return AssignmentOut(
        id=a.pk,
        enterprise_id=a.enterprise_id,
        enterprise=a.enterprise.name,
        user_id=a.user_id,
        user=a.user.display_name,
        role=a.role,
        role_label=a.get_role_display(),
        started_on=a.started_on,
        ended_on=a.ended_on,
    )


@router.get("/my/enterprises", response=list[AssignmentOut], summary="我当前包干/挂钩的企业")
def my_enterprises(request):
    qs = selectors.assignments_of(request.auth)
    return [_assignment_out(a) for a in qs]


@router.get(
    "/enterprises/{enterprise_id}/assignments", response=list[AssignmentOut], summary="企业的包干服务历史"
)
def assignments(request, enterprise_id: int):
    _, history = selectors.service_record(request.auth, enterprise_id)
    return [_assignment_out(a) for a in history]


@router.post(
    "/enterprises/{enterprise_id}/assignments", response={201: AssignmentOut}, summary="分配/变更服务人员"
)
def assign(request, enterprise_id: int, payload: inputs.ServiceAssignIn):
    return Status(201, _assignment_out(actions.assign(request.auth, enterprise_id, payload)))


class VisitOut(Schema):
    id: int
    officer: str
    role: str
    enterprise_id: int
    enterprise: str
    visited_on: dt.date
    people_met: str
    findings: str
    policies: str
    appeals: list[str]


def _visit_out(v, appeals=None) -> VisitOut:
    numbers = (
        appeals if appeals is not None else [o.appeal.number for o in v.origins.select_related("appeal")]
    )
    return VisitOut(
        id=v.pk,
        officer=v.officer.display_name,
        role=v.get_role_display(),
        enterprise_id=v.enterprise_id,
        enterprise=v.enterprise.name,
        visited_on=v.visited_on,
        people_met=v.people_met,
        findings=v.findings,
        policies=v.policies,
        appeals=numbers,
    )


@router.post("/visits", response={201: VisitOut}, summary="记录走访（可同时登记诉求）")
def log_visit(request, payload: inputs.VisitIn):
    visit, appeals = actions.log_visit(request.auth, payload)
    return Status(201, _visit_out(visit, [a.number for a in appeals]))


@router.get("/visits", response=list[VisitOut], summary="走访记录（服务官本人；营商办本区划）")
def visits(request, enterprise_id: int | None = None, limit: int = Query(100, ge=1, le=500)):
    qs = selectors.visits_visible_to(request.auth).select_related("officer", "enterprise")
    if enterprise_id:
        qs = qs.filter(enterprise_id=enterprise_id)
    return [_visit_out(v) for v in qs[:limit]]


class OfficerRowOut(Schema):
    officer_id: int | None
    officer: str
    visits: int
    enterprises_covered: int
    enterprises_assigned: int
    appeals_raised: int
    closed: int
    rated: int
    satisfaction_rate: float | None


class ItemOut(Schema):
    number: str
    submitted_at: dt.datetime
    officer: str
    enterprise: str
    content: str
    lead_department: str | None
    co_departments: list[str]
    status: str
    result: str


class OfficerReportOut(Schema):
    start: dt.date
    end: dt.date
    officers: list[OfficerRowOut]
    items: list[ItemOut]


@router.get("/reports/officers", response=OfficerReportOut, summary="首席服务官工作季报表与协调事项明细表")
def officer_report(request, date: Day | None = None):
    if request.auth.role not in (Role.DISPATCHER, Role.LEADER, Role.OFFICER):
        raise NotPermitted("无权查看服务官工作报表")
    start, end = period_bounds("quarter", date or timezone.localdate())
    rows = reports.officer_report(request.auth, start, end)
    items = reports.coordination_items(request.auth, start, end)
    return OfficerReportOut(
        start=start,
        end=end,
        officers=[
            OfficerRowOut(
                officer_id=r.officer.pk if r.officer else None,
                officer=r.name,
                visits=r.visits,
                enterprises_covered=r.covered,
                enterprises_assigned=r.assigned,
                appeals_raised=r.raised,
                closed=r.closed,
                rated=r.rated,
                satisfaction_rate=r.satisfaction,
            )
            for r in rows
        ],
        items=[
            ItemOut(
                number=a.number,
                submitted_at=a.submitted_at,
                officer=reports.officer_of(a).display_name,
                enterprise=a.enterprise.name,
                content=f"{a.title}：{a.content}",
                lead_department=a.lead_department.name if a.lead_department else None,
                co_departments=[d.name for d in a.co_departments.all()],
                status=a.get_status_display(),
                result=reports.item_result(a),
            )
            for a in items
        ],
    )


@router.post("/officer/appeals", response={201: common.AppealRef}, summary="服务官代包干企业登记诉求")
def officer_appeal(request, payload: inputs.OfficerAppealIn):
    a = actions.register_appeal(request.auth, payload)
    return Status(201, common.AppealRef(number=a.number, channel=a.channel))
