"""Field-service endpoints: meetings and series funnels, officers' enterprises and visits, quarterly reports,
supervisors' clues and spot checks, contact points, task forces. Same selectors as the pages, so the same rules:
an officer sees the enterprises they serve, a supervisor their own records, a clue only its author, the
coordinating office of its region and the discipline-inspection department."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from qinqing.accounts.models import Role
from qinqing.appeals.models import Category
from qinqing.core.errors import InvalidInput, NotPermitted, NotVisible
from qinqing.enterprises.models import Enterprise
from qinqing.fieldwork import reports, selectors, services
from qinqing.fieldwork.models import SPOT_CHECK_ITEMS, ContactPoint, Meeting
from qinqing.organisation.models import Department
from qinqing.supervision.evaluation import period_bounds

router = Router(tags=["政企活动与服务"])


def _category(pk: int) -> Category:
    c = Category.objects.filter(pk=pk, active=True).first()
    if c is None:
        raise InvalidInput("类别不存在", {"category_id": ["类别不存在或已停用"]})
    return c


def _department(pk: int | None, field: str = "department_id") -> Department | None:
    if pk is None:
        return None
    d = Department.objects.filter(pk=pk, active=True).first()
    if d is None:
        raise InvalidInput("单位不存在", {field: ["单位不存在"]})
    return d


# ---------------------------------------------------------------- meetings


class StageOut(Schema):
    key: str
    label: str
    value: int
    rate: float | None


class MeetingOut(Schema):
    id: int
    title: str
    kind: str
    kind_label: str
    series_id: int | None
    sequence: int | None
    theme: str
    starts_at: dt.datetime
    place: str
    host: str
    state: str
    funnel: list[StageOut] | None = None


def _meeting_out(m: Meeting, with_funnel: bool = False) -> MeetingOut:
    funnel = selectors.funnel(selectors.meeting_appeals([m.pk]))["stages"] if with_funnel else None
    return MeetingOut(
        id=m.pk,
        title=m.title,
        kind=m.kind,
        kind_label=m.get_kind_display(),
        series_id=m.series_id,
        sequence=m.sequence,
        theme=m.theme,
        starts_at=m.starts_at,
        place=m.place,
        host=m.host_name,
        state=m.state,
        funnel=funnel,
    )


@router.get("/meetings", response=list[MeetingOut], summary="政企活动列表")
def meetings(request, limit: int = Query(100, ge=1, le=500)):
    qs = selectors.meetings_visible_to(request.auth).select_related("series")[:limit]
    return [_meeting_out(m) for m in qs]


class MeetingIn(Schema):
    theme: str = Field(..., max_length=100)
    starts_at: dt.datetime
    kind: str | None = None
    series_id: int | None = None
    place: str = Field("", max_length=100)
    host_id: int | None = None
    department_ids: list[int] = Field([], max_length=1000)
    enterprise_ids: list[int] = Field([], max_length=1000)


@router.post("/meetings", response={201: MeetingOut}, summary="新建活动（系列活动自动编期）")
def create_meeting(request, payload: MeetingIn):
    user = request.auth
    series = None
    if payload.series_id is not None:
        series = selectors.series_visible_to(user).filter(pk=payload.series_id).first()
        if series is None:
            raise InvalidInput("活动系列不存在", {"series_id": ["活动系列不存在"]})
    from qinqing.accounts.models import User

    m = services.schedule_meeting(
        by=user,
        theme=payload.theme,
        starts_at=payload.starts_at,
        kind=payload.kind,
        series=series,
        place=payload.place,
        host=User.objects.filter(pk=payload.host_id or 0, role=Role.LEADER).first(),
        departments=Department.objects.filter(pk__in=payload.department_ids),
        enterprises=Enterprise.objects.filter(pk__in=payload.enterprise_ids),
    )
    return Status(201, _meeting_out(m))


def _meeting(user, pk: int) -> Meeting:
    m = selectors.meetings_visible_to(user).filter(pk=pk).select_related("series").first()
    if m is None:
        raise NotVisible("未找到该活动")
    return m


@router.get("/meetings/{meeting_id}", response=MeetingOut, summary="活动详情与问题办理漏斗")
def meeting(request, meeting_id: int):
    m = _meeting(request.auth, meeting_id)
    return _meeting_out(m, with_funnel=request.auth.role in (Role.DISPATCHER, Role.LEADER))


class IssuesIn(Schema):
    text: str = Field(
        ..., max_length=200_000, description="每行一条：企业名称或统一社会信用代码 | 类别 | 问题内容"
    )


class CreatedAppeals(Schema):
    numbers: list[str]


@router.post(
    "/meetings/{meeting_id}/issues", response={201: CreatedAppeals}, summary="批量录入活动收集的问题"
)
def meeting_issues(request, meeting_id: int, payload: IssuesIn):
    made = services.add_meeting_issues(
        meeting=_meeting(request.auth, meeting_id), by=request.auth, text=payload.text
    )
    return Status(201, CreatedAppeals(numbers=[a.number for a in made]))


class Announced(Schema):
    recipients: int


@router.post("/meetings/{meeting_id}/announce", response=Announced, summary="通知参会企业")
def announce(request, meeting_id: int):
    return Announced(
        recipients=services.announce_meeting(meeting=_meeting(request.auth, meeting_id), by=request.auth)
    )


class SeriesRowOut(Schema):
    meeting_id: int
    sequence: int | None
    theme: str
    collected: int
    measures: int
    resolved: int


class SeriesOut(Schema):
    id: int
    name: str
    meetings: list[SeriesRowOut]
    funnel: list[StageOut]


@router.get("/series/{series_id}", response=SeriesOut, summary="活动系列：各期及合计的问题办理漏斗")
def series(request, series_id: int):
    s = selectors.series_visible_to(request.auth).filter(pk=series_id).first()
    if s is None:
        raise NotVisible("未找到该系列")
    r = reports.series_report(s)
    return SeriesOut(
        id=s.pk,
        name=s.name,
        funnel=r["total"]["stages"],
        meetings=[
            SeriesRowOut(
                meeting_id=x["meeting"].pk,
                sequence=x["meeting"].sequence,
                theme=x["meeting"].theme,
                collected=x["collected"],
                measures=x["measures"],
                resolved=x["resolved"],
            )
            for x in r["rows"]
        ],
    )


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


class AssignIn(Schema):
    user_id: int
    role: str
    on: dt.date | None = None
    reason: str = Field("", max_length=100)


def _office_enterprise(user, pk: int) -> Enterprise:
    e = Enterprise.objects.filter(pk=pk).select_related("region").first()
    if (
        e is None
        or user.role not in (Role.DISPATCHER, Role.LEADER)
        or not e.region.path.startswith(user.region.path if user.region_id else "/-/")
    ):
        raise NotVisible("未找到该企业")
    return e


@router.get(
    "/enterprises/{enterprise_id}/assignments", response=list[AssignmentOut], summary="企业的包干服务历史"
)
def assignments(request, enterprise_id: int):
    _, history = selectors.service_record(request.auth, enterprise_id)
    return [_assignment_out(a) for a in history]


@router.post(
    "/enterprises/{enterprise_id}/assignments", response={201: AssignmentOut}, summary="分配/变更服务人员"
)
def assign(request, enterprise_id: int, payload: AssignIn):
    from qinqing.accounts.models import User

    e = _office_enterprise(request.auth, enterprise_id)
    target = User.objects.filter(pk=payload.user_id).first()
    if target is None:
        raise InvalidInput("人员不存在", {"user_id": ["人员不存在"]})
    a = services.assign_officer(
        by=request.auth, enterprise=e, user=target, role=payload.role, on=payload.on, reason=payload.reason
    )
    return Status(201, _assignment_out(a))


class IssueIn(Schema):
    category_id: int
    content: str = Field(..., max_length=5000)
    title: str = Field("", max_length=100)
    urgency: str = "normal"


class VisitIn(Schema):
    enterprise_id: int
    visited_on: dt.date
    people_met: str = Field(..., max_length=200)
    findings: str = Field(..., max_length=5000)
    policies: str = Field("", max_length=5000)
    issues: list[IssueIn] = Field([], max_length=100)


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
def log_visit(request, payload: VisitIn):
    user = request.auth
    enterprise = Enterprise.objects.filter(pk=payload.enterprise_id).first()
    if enterprise is None or user.role != Role.OFFICER:
        raise NotVisible("该企业不在您的包干服务名单中")
    visit, appeals = services.log_visit(
        by=user,
        enterprise=enterprise,
        visited_on=payload.visited_on,
        people_met=payload.people_met,
        findings=payload.findings,
        policies=payload.policies,
        issues=[
            {
                "category": _category(i.category_id),
                "content": i.content,
                "title": i.title,
                "urgency": i.urgency,
            }
            for i in payload.issues
        ],
    )
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
def officer_report(request, date: dt.date | None = None):
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
                officer=a.origin.officer.display_name,
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


class AgentAppealIn(Schema):
    enterprise_id: int
    category_id: int
    title: str = Field(..., max_length=100)
    content: str = Field(..., max_length=5000)
    urgency: str = "normal"


class AppealRef(Schema):
    number: str
    channel: str


@router.post("/officer/appeals", response={201: AppealRef}, summary="服务官代包干企业登记诉求")
def officer_appeal(request, payload: AgentAppealIn):
    enterprise = Enterprise.objects.filter(pk=payload.enterprise_id).first()
    if enterprise is None or request.auth.role != Role.OFFICER:
        raise NotVisible("该企业不在您的包干服务名单中")
    a = services.register_for_enterprise(
        by=request.auth,
        enterprise=enterprise,
        title=payload.title,
        content=payload.content,
        category=_category(payload.category_id),
        urgency=payload.urgency,
    )
    return Status(201, AppealRef(number=a.number, channel=a.channel))


# ---------------------------------------------------------------- supervisors


class ClueIn(Schema):
    title: str = Field(..., max_length=100)
    content: str = Field(..., max_length=5000)
    department_id: int | None = None
    subject: str = Field("", max_length=100)
    occurred_on: dt.date | None = None


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


def _clue_out(c) -> ClueOut:
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
    )


@router.post("/clues", response={201: ClueOut}, summary="特约监督员提交问题线索（保密）")
def submit_clue(request, payload: ClueIn):
    c = services.submit_clue(
        by=request.auth,
        title=payload.title,
        content=payload.content,
        department=_department(payload.department_id),
        subject=payload.subject,
        occurred_on=payload.occurred_on,
    )
    return Status(201, _clue_out(c))


@router.get("/clues", response=list[ClueOut], summary="问题线索（本人、营商办、纪检监察机关可见）")
def clues(request, state: str | None = None, limit: int = Query(100, ge=1, le=500)):
    qs = selectors.clues_visible_to(request.auth)
    if state:
        qs = qs.filter(state=state)
    return [_clue_out(c) for c in qs[:limit]]


def _clue(user, number: str):
    c = selectors.clues_visible_to(user).filter(number=number).first()
    if c is None:
        raise NotVisible("未找到该线索")
    return c


@router.get("/clues/{number}", response=ClueOut, summary="线索详情")
def clue(request, number: str):
    return _clue_out(_clue(request.auth, number))


class ClueActionIn(Schema):
    action: str = Field(
        ..., description="accept 核查 / dismiss 不予核查 / transfer 移送纪检监察 / conclude 办结"
    )
    note: str = Field("", max_length=2000)
    finding: str = Field("", description="办结时：true 属实 / partly 部分属实 / false 不属实")


@router.post("/clues/{number}/actions", response=ClueOut, summary="处理线索")
def clue_action(request, number: str, payload: ClueActionIn):
    c = services.handle_clue(
        clue=_clue(request.auth, number),
        by=request.auth,
        action=payload.action,
        note=payload.note,
        finding=payload.finding,
    )
    return _clue_out(c)


class SpotCheckIn(Schema):
    department_id: int
    checked_on: dt.date
    items: dict[str, int] = Field(
        ..., description="、".join(f"{k} {label}" for k, label in SPOT_CHECK_ITEMS) + "，各0–20分"
    )
    place: str = Field("", max_length=100)
    comments: str = Field("", max_length=5000)


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
def spot_check(request, payload: SpotCheckIn):
    c = services.record_spot_check(
        by=request.auth,
        department=_department(payload.department_id),
        checked_on=payload.checked_on,
        items=payload.items,
        place=payload.place,
        comments=payload.comments,
    )
    return Status(201, _check_out(c))


@router.get("/spot-checks", response=list[SpotCheckOut], summary="抽查记录")
def spot_checks(request, department_id: int | None = None, limit: int = Query(100, ge=1, le=500)):
    qs = selectors.spot_checks_visible_to(request.auth)
    if department_id:
        qs = qs.filter(department_id=department_id)
    return [_check_out(c) for c in qs[:limit]]


@router.post("/supervisor/appeals", response={201: AppealRef}, summary="特约监督员代企业反映诉求")
def supervisor_appeal(request, payload: AgentAppealIn):
    enterprise = Enterprise.objects.filter(pk=payload.enterprise_id).first()
    if enterprise is None:
        raise InvalidInput("企业不存在", {"enterprise_id": ["企业不存在"]})
    a = services.register_as_supervisor(
        by=request.auth,
        enterprise=enterprise,
        title=payload.title,
        content=payload.content,
        category=_category(payload.category_id),
        urgency=payload.urgency,
    )
    return Status(201, AppealRef(number=a.number, channel=a.channel))


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


# ---------------------------------------------------------------- contact points and task forces


class ContactPointOut(Schema):
    id: int
    kind: str
    kind_label: str
    enterprise_id: int
    enterprise: str
    responsible: str
    department: str | None
    designated_on: dt.date
    active: bool


@router.get("/contact-points", response=list[ContactPointOut], summary="企业联系点")
def contact_points(request, kind: str | None = None):
    qs = selectors.contact_points_visible_to(request.auth)
    if kind:
        qs = qs.filter(kind=kind)
    return [
        ContactPointOut(
            id=p.pk,
            kind=p.kind,
            kind_label=p.get_kind_display(),
            enterprise_id=p.enterprise_id,
            enterprise=p.enterprise.name,
            responsible=p.responsible,
            department=p.department.name if p.department else None,
            designated_on=p.designated_on,
            active=p.active,
        )
        for p in qs
    ]


class ContactAppealIn(Schema):
    category_id: int
    title: str = Field(..., max_length=100)
    content: str = Field(..., max_length=5000)


@router.post(
    "/contact-points/{point_id}/appeals", response={201: AppealRef}, summary="登记经联系点反映的诉求"
)
def contact_appeal(request, point_id: int, payload: ContactAppealIn):
    point: ContactPoint | None = selectors.contact_points_visible_to(request.auth).filter(pk=point_id).first()
    if point is None:
        raise NotVisible("未找到该联系点")
    a = services.register_via_contact_point(
        by=request.auth,
        point=point,
        title=payload.title,
        content=payload.content,
        category=_category(payload.category_id),
    )
    return Status(201, AppealRef(number=a.number, channel=a.channel))


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
    )


@router.post("/task-forces", response={201: TaskForceOut}, summary="成立工作专班")
def create_task_force(request, payload: TaskForceIn):
    from qinqing.appeals.selectors import appeals_visible_to

    members = [
        {
            "department": _department(m.department_id, "members"),
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
