"""行动方案与任务清单 endpoints: plans, tasks, milestones, progress reports with evidence, 督办单, rankings, the
四挂钩 sheet and the dashboard figures. The same selectors, inputs and actions as the pages; an object the caller
may not see answers 404."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils import timezone
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from qinqing.accounts.models import Role
from qinqing.core.errors import NotPermitted
from qinqing.core.inputs import Day
from qinqing.plans import actions, assessment, inputs, rankings, selectors, workflow
from qinqing.plans.models import Milestone, Plan, ProgressReport, Ranking, Slip, Task
from qinqing.plans.sweep import escalates_to

router = Router(tags=["行动方案与任务清单"])


class PlanOut(Schema):
    id: int
    region: str
    year: int
    number: str
    title: str
    leading_group: str
    working_groups: list[str]
    cadence: str
    report_grace_days: int
    state: str
    state_label: str
    approved_on: dt.date | None
    actions: list[str]


def _plan(p: Plan, user) -> PlanOut:
    return PlanOut(
        id=p.pk,
        region=p.region.name,
        year=p.year,
        number=p.number,
        title=p.title,
        leading_group=p.leading_group,
        working_groups=[g for g in p.working_groups.splitlines() if g.strip()],
        cadence=p.cadence,
        report_grace_days=p.report_grace_days,
        state=p.state,
        state_label=p.get_state_display(),
        approved_on=p.approved_on,
        actions=[a.name for a in workflow.PLANS.available(p, user)],
    )


class PlanMilestoneOut(Schema):
    id: int
    title: str
    due: dt.date
    baseline_due: dt.date | None
    slippage_working_days: int | None
    expected_result: str
    evidence_required: str
    weight: float
    state: str
    state_label: str
    light: str
    done_on: dt.date | None
    evidence: int | None  # None: the caller does not see the task's internals
    actions: list[str]


class PlanTaskOut(Schema):
    id: int
    plan_id: int
    parent_id: int | None
    code: str
    title: str
    environment: str
    environment_label: str
    lead_department: str
    lead_department_id: int
    responsibility: str
    responsibility_label: str
    supervisor: str
    weight: float
    state: str
    state_label: str
    light: str
    progress: float | None
    indicators: list[str]


class PlanTaskDetailOut(PlanTaskOut):
    description: str
    co_departments: list[str]
    milestones: list[PlanMilestoneOut]
    actions: list[str]


def _task(t: Task) -> PlanTaskOut:
    return PlanTaskOut(**_task_fields(t))


def _task_fields(t: Task) -> dict:
    return {
        "id": t.pk,
        "plan_id": t.plan_id,
        "parent_id": t.parent_id,
        "code": t.code,
        "title": t.title,
        "environment": t.environment,
        "environment_label": t.get_environment_display(),
        "lead_department": str(t.lead_department),
        "lead_department_id": t.lead_department_id,
        "responsibility": t.responsibility,
        "responsibility_label": t.get_responsibility_display(),
        "supervisor": str(t.supervisor or ""),
        "weight": float(t.weight),
        "state": t.state,
        "state_label": t.get_state_display(),
        "light": getattr(t, "light", ""),
        "progress": selectors.progress(t),
        "indicators": [f"{i.code} {i.name}" for i in t.indicators.all()],
    }


def _milestone(m: Milestone, user, today: dt.date, evidence: dict[int, int] | None) -> PlanMilestoneOut:
    return PlanMilestoneOut(
        id=m.pk,
        title=m.title,
        due=m.due,
        baseline_due=m.baseline_due,
        slippage_working_days=selectors.slippage(m),
        expected_result=m.expected_result,
        evidence_required=m.evidence_required,
        weight=float(m.weight),
        state=m.state,
        state_label=m.get_state_display(),
        light=m.light(today),
        done_on=m.done_on,
        evidence=None if evidence is None else evidence.get(m.pk, 0),
        actions=[a.name for a in workflow.MILESTONES.available(m, user)],
    )


def _task_detail(t: Task, user) -> PlanTaskDetailOut:
    today = timezone.localdate()
    counts: dict[int, int] | None = None
    if selectors.sees_internals(user, t):
        counts = {}
        for e in selectors.evidence_for_task(user, t):
            counts[e.milestone_id] = counts.get(e.milestone_id, 0) + 1
    for m in (ms := list(selectors.milestones_of(user, t))):
        m.task = t
    return PlanTaskDetailOut(
        **_task_fields(t),
        description=t.description,
        co_departments=[str(d) for d in t.co_departments.all()],
        milestones=[_milestone(m, user, today, counts) for m in ms],
        actions=[a.name for a in workflow.TASKS.available(t, user)],
    )


@router.get("/plans", response=list[PlanOut], summary="行动方案（本人可见范围）")
def plans(request, year: int | None = Query(None, ge=2000, le=2100)):
    qs = selectors.plans_visible_to(request.auth)
    if year is not None:
        qs = qs.filter(year=year)
    return [_plan(p, request.auth) for p in qs[:200]]


@router.post("/plans", response={201: PlanOut}, summary="编制行动方案（营商办）")
def create_plan(request, payload: inputs.PlanIn):
    return Status(201, _plan(actions.create_plan(request.auth, payload), request.auth))


@router.get("/plans/{plan_id}", response=PlanOut, summary="行动方案")
def plan(request, plan_id: int):
    return _plan(selectors.get_plan(request.auth, plan_id), request.auth)


@router.post("/plans/{plan_id}/approve", response=PlanOut, summary="批准方案：冻结各节点时限为基线")
def approve_plan(request, plan_id: int):
    return _plan(actions.plan_step(request.auth, plan_id, "approve"), request.auth)


@router.post("/plans/{plan_id}/end", response=PlanOut, summary="结束方案")
def end_plan(request, plan_id: int):
    return _plan(actions.plan_step(request.auth, plan_id, "end"), request.auth)


@router.post("/plans/{plan_id}/tasks", response={201: PlanTaskDetailOut}, summary="新增任务（营商办）")
def add_task(request, plan_id: int, payload: inputs.PlanTaskIn):
    made = actions.add_task(request.auth, plan_id, payload)
    return Status(201, _task_detail(selectors.get_task(request.auth, made.pk), request.auth))


@router.get("/tasks", response=list[PlanTaskOut], summary="任务清单（部门：本部门牵头与配合的任务）")
def tasks(
    request,
    plan: int | None = Query(None, ge=1, le=2**31 - 1),
    light: Literal["green", "yellow", "red", "done"] | None = None,
    environment: Literal["law", "government", "market", "social"] | None = None,
    department: int | None = Query(None, ge=1, le=2**31 - 1),
    state: Literal["active", "pending_close", "closed"] | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=1_000_000),
):
    qs = selectors.with_figures(selectors.tasks_visible_to(request.auth)).prefetch_related("indicators")
    if plan is not None:
        qs = qs.filter(plan_id=plan)
    if light is not None:
        qs = qs.filter(light=light)  # type: ignore[misc]  # annotated by with_figures
    if environment is not None:
        qs = qs.filter(environment=environment)
    if department is not None:
        qs = qs.filter(lead_department_id=department)
    if state is not None:
        qs = qs.filter(state=state)
    return [_task(t) for t in qs.order_by("plan_id", "position", "code")[offset : offset + limit]]


@router.get(
    "/tasks/{task_id}", response=PlanTaskDetailOut, summary="任务：节点（路线图、时间表）、基线偏差、可办操作"
)
def task(request, task_id: int):
    return _task_detail(selectors.get_task(request.auth, task_id), request.auth)


@router.post("/tasks/{task_id}/milestones", response={201: PlanTaskDetailOut}, summary="新增节点（营商办）")
def add_milestone(request, task_id: int, payload: inputs.PlanMilestoneIn):
    actions.add_milestone(request.auth, task_id, payload)
    return Status(201, _task_detail(selectors.get_task(request.auth, task_id), request.auth))


class PlanEvidenceOut(Schema):
    id: int
    milestone_id: int
    name: str
    link: str
    size: int
    uploaded_at: dt.datetime


class PlanReportOut(Schema):
    id: int
    task_id: int
    period_start: dt.date
    period_end: dt.date
    due: dt.date
    text: str
    problems: str
    milestone_id: int | None
    filed_by: str
    filed_at: dt.datetime
    evidence: list[PlanEvidenceOut]


def _report(r: ProgressReport) -> PlanReportOut:
    return PlanReportOut(
        id=r.pk,
        task_id=r.task_id,
        period_start=r.period_start,
        period_end=r.period_end,
        due=r.due,
        text=r.text,
        problems=r.problems,
        milestone_id=r.milestone_id,
        filed_by=str(r.filed_by),
        filed_at=r.filed_at,
        evidence=[
            PlanEvidenceOut(
                id=e.pk,
                milestone_id=e.milestone_id,
                name=e.original_name,
                link=e.link,
                size=e.size,
                uploaded_at=e.uploaded_at,
            )
            for e in r.evidence.all()
        ],
    )


@router.get(
    "/tasks/{task_id}/reports",
    response=list[PlanReportOut],
    summary="进展报告（牵头部门、营商办、领导、督办专员）",
)
def reports(request, task_id: int, limit: int = Query(50, ge=1, le=500)):
    t = selectors.get_task(request.auth, task_id)
    return [_report(r) for r in selectors.reports_of(request.auth, t).prefetch_related("evidence")[:limit]]


@router.post(
    "/tasks/{task_id}/reports",
    response={201: PlanReportOut},
    summary="报送进展（multipart：可选一个节点提交审核，附佐证材料文件或链接）",
)
def file_report(
    request,
    task_id: int,
    payload: Form[inputs.PlanReportIn],
    attachments: list[UploadedFile] | None = File(None),  # noqa: B008 - ninja's declaration style
):
    made = actions.file_report(request.auth, task_id, payload, attachments or [])
    return Status(201, _report(made))


@router.post(
    "/tasks/{task_id}/steps/{step}",
    response=PlanTaskDetailOut,
    summary="任务操作：request_close 申请销号、accept_close 同意销号、refuse_close 不同意销号、reopen 重新打开",
)
def task_step(
    request,
    task_id: int,
    step: Literal["request_close", "accept_close", "refuse_close", "reopen"],
    payload: inputs.PlanNoteIn,
):
    actions.task_step(request.auth, task_id, step, payload)
    return _task_detail(selectors.get_task(request.auth, task_id), request.auth)


@router.post(
    "/milestones/{milestone_id}/{step}",
    response=PlanTaskDetailOut,
    summary="节点审核：accept 通过（须有佐证材料）、return 退回（须说明原因）",
)
def milestone_step(
    request, milestone_id: int, step: Literal["accept", "return"], payload: inputs.PlanReviewIn
):
    m = actions.milestone_step(request.auth, milestone_id, step, payload)
    return _task_detail(selectors.get_task(request.auth, m.task_id), request.auth)


@router.post(
    "/milestones/{milestone_id}/reschedule",
    response=PlanTaskDetailOut,
    summary="调整节点时限（营商办；基线不变）",
)
def reschedule(request, milestone_id: int, payload: inputs.PlanRescheduleIn):
    m = actions.reschedule(request.auth, milestone_id, payload)
    return _task_detail(selectors.get_task(request.auth, m.task_id), request.auth)


class PlanSlipOut(Schema):
    id: int
    task_id: int
    task: str
    lead_department: str
    kind: str
    kind_label: str
    reason: str
    level: str
    level_label: str
    state: str
    state_label: str
    issued_on: dt.date
    respond_by: dt.date
    escalates_to: str
    answer: str
    actions: list[str]


def _slip(s: Slip, user) -> PlanSlipOut:
    return PlanSlipOut(
        id=s.pk,
        task_id=s.task_id,
        task=f"{s.task.code} {s.task.title}",
        lead_department=str(s.task.lead_department),
        kind=s.kind,
        kind_label=s.get_kind_display(),
        reason=s.reason,
        level=s.level,
        level_label=s.get_level_display(),
        state=s.state,
        state_label=s.get_state_display(),
        issued_on=s.issued_on,
        respond_by=s.respond_by,
        escalates_to=escalates_to(s),
        answer=s.answer,
        actions=[a.name for a in workflow.SLIPS.available(s, user)],
    )


@router.get("/slips", response=list[PlanSlipOut], summary="任务督办单")
def slips(
    request,
    level: Literal["blue", "yellow", "red"] | None = None,
    state: Literal["open", "issued", "answered", "closed", "all"] = "open",
    plan: int | None = Query(None, ge=1, le=2**31 - 1),
    limit: int = Query(100, ge=1, le=1000),
):
    qs = selectors.slips_visible_to(request.auth)
    if level is not None:
        qs = qs.filter(level=level)
    if state == "open":
        qs = qs.exclude(state=Slip.State.CLOSED)
    elif state != "all":
        qs = qs.filter(state=state)
    if plan is not None:
        qs = qs.filter(task__plan_id=plan)
    return [_slip(s, request.auth) for s in qs[:limit]]


@router.get("/slips/{slip_id}", response=PlanSlipOut, summary="任务督办单")
def slip(request, slip_id: int):
    return _slip(selectors.get_slip(request.auth, slip_id), request.auth)


@router.post("/slips/{slip_id}/answer", response=PlanSlipOut, summary="回复督办（牵头部门）")
def answer_slip(request, slip_id: int, payload: inputs.SlipAnswerIn):
    return _slip(actions.answer_slip(request.auth, slip_id, payload), request.auth)


@router.post("/slips/{slip_id}/close", response=PlanSlipOut, summary="督办销号（督办专员、营商办）")
def close_slip(request, slip_id: int, payload: inputs.PlanNoteIn):
    return _slip(actions.close_slip(request.auth, slip_id, payload), request.auth)


class PlanRankRowOut(Schema):
    department_id: int
    department: str
    due: int
    on_time: int
    late: int
    slips: int
    rejections: int
    rate: float | None
    score: float | None


class PlanRankingOut(Schema):
    id: int | None
    period: str
    start: dt.date
    end: dt.date
    rule_version: str
    red: list[PlanRankRowOut]
    black: list[PlanRankRowOut]
    all: list[PlanRankRowOut]
    published_at: dt.datetime | None


def _ranking(r: Ranking) -> PlanRankingOut:
    return PlanRankingOut(
        id=r.pk,
        period=r.period,
        start=r.start,
        end=r.end,
        rule_version=r.rule_version,
        red=r.red,
        black=r.black,
        all=r.all_rows,
        published_at=r.published_at,
    )


def _leader_region(user):
    """The API refuses a role that reads no rankings or sheets with 403 (declared), as it does everywhere; the
    pages answer 404 (``actions.leader_region``), like a page one may not see."""
    if user.role not in (Role.DISPATCHER, Role.LEADER) or user.region is None:
        raise NotPermitted("仅营商办与领导可查看排名与考核表")
    return actions.leader_region(user)


@router.get("/rankings/preview", response=PlanRankingOut, summary="任务推进排名预览（已结束的月度或季度）")
def ranking_preview(request, month: Day, period: Literal["month", "quarter"] = "month"):
    region = _leader_region(request.auth)
    data = rankings.preview(region, period, month)
    return PlanRankingOut(**{**data, "id": None, "published_at": None})


@router.post(
    "/rankings", response={201: PlanRankingOut}, summary="发布任务推进排名（营商办，须确认；发布后冻结）"
)
def publish_ranking(request, payload: inputs.PlanRankingIn):
    return Status(201, _ranking(actions.publish_ranking(request.auth, payload)))


@router.get("/rankings", response=list[PlanRankingOut], summary="已发布的任务推进排名")
def ranking_list(request, limit: int = Query(24, ge=1, le=200)):
    return [_ranking(r) for r in selectors.rankings_visible_to(request.auth)[:limit]]


@router.get("/rankings/{ranking_id}", response=PlanRankingOut, summary="已发布的任务推进排名")
def ranking(request, ranking_id: int):
    return _ranking(selectors.get_ranking(request.auth, ranking_id))


class AssessmentRowOut(Schema):
    department_id: int
    department: str
    scores: dict[str, float | None]
    total: float | None
    grade: str
    missing: list[str]


class AssessmentOut(Schema):
    year: int
    weights: dict[str, int]
    labels: dict[str, str]
    rows: list[AssessmentRowOut]


@router.get("/assessment", response=AssessmentOut, summary="四挂钩年度绩效考核评分表（营商办、领导）")
def assessment_sheet(request, year: int = Query(..., ge=2000, le=2100)):
    region = _leader_region(request.auth)
    rows = assessment.sheet(region, year)
    return AssessmentOut(
        year=year,
        weights=assessment.WEIGHTS,
        labels=assessment.LABELS,
        rows=[
            AssessmentRowOut(
                department_id=r.department_id,
                department=r.department,
                scores=r.scores,
                total=r.total,
                grade=r.grade,
                missing=r.missing,
            )
            for r in rows
        ],
    )


class PlanDeptLineOut(Schema):
    department_id: int
    department: str
    tasks: int
    red: int
    yellow: int
    slips_open: int
    progress: float | None


class PlanEnvironmentOut(Schema):
    code: str
    label: str
    tasks: int
    progress: float | None


class PlanDashboardOut(Schema):
    plan: PlanOut | None
    tasks: int
    progress: float | None
    lights: dict[str, int]
    slips_open: dict[str, int]
    overdue_milestones: int
    slipped_milestones: int
    slipped_working_days: int
    environments: list[PlanEnvironmentOut]
    departments: list[PlanDeptLineOut]


@router.get(
    "/dashboard", response=PlanDashboardOut, summary="领导看板：任务分灯、督办单、进度、基线偏差、部门"
)
def dashboard(request, plan: int | None = Query(None, ge=1, le=2**31 - 1)):
    user = request.auth
    if user.role not in ("dispatcher", "leader"):
        raise NotPermitted("仅营商办与领导可查看看板")
    f = selectors.dashboard(user, plan)
    return PlanDashboardOut(
        plan=_plan(f.plan, user) if f.plan else None,
        tasks=f.tasks,
        progress=f.progress,
        lights=f.lights,
        slips_open=f.slips,
        overdue_milestones=f.overdue_milestones,
        slipped_milestones=f.slipped_milestones,
        slipped_working_days=f.slipped_days,
        environments=[PlanEnvironmentOut(**e) for e in f.environments],
        departments=[
            PlanDeptLineOut(
                department_id=d.department_id,
                department=d.name,
                tasks=d.tasks,
                red=d.red,
                yellow=d.yellow,
                slips_open=d.slips_open,
                progress=d.progress,
            )
            for d in f.departments
        ],
    )
