"""Key-project endpoints (/api/projects/…): the list, a project with its stages, steps, figures and the actions
the caller may take, the dashboard summary, 四个一批, and every action of the pages with the same inputs and the
same services. An invisible project answers 404; refusals are Chinese 4xx."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from qinqing.core.inputs import Day
from qinqing.projects import actions, inputs, report, selectors, workflow
from qinqing.projects.models import Project
from qinqing.supervision.evaluation import period_bounds

router = Router(tags=["重点项目"])


class ProjectRowOut(Schema):
    id: int
    number: str
    name: str
    enterprise_id: int
    enterprise: str
    amount: int
    industry: str
    region_id: int
    region: str
    stage: str
    stage_label: str
    sign_to_start_days: int | None
    approval_days: int | None
    approval_done: bool
    open_flags: list[str]


class ProjectPageOut(Schema):
    count: int
    items: list[ProjectRowOut]
    sign_to_start_median: float | None
    approval_median: float | None
    approval_target: int


class ProjectStageOut(Schema):
    stage: str
    label: str
    planned: dt.date | None
    actual: dt.date | None
    slippage_days: int | None
    current: bool


class ProjectStepOut(Schema):
    id: int
    kind: str
    label: str
    department_id: int
    department: str
    state: str
    submitted_on: dt.date | None
    approved_on: dt.date | None
    working_days: int | None
    elapsed_days: int | None
    actions: list[str]


class ProjectSpanOut(Schema):
    label: str
    source: str
    target: str
    days: int | None


class ProjectFlagOut(Schema):
    rule: str
    label: str
    detail: str
    raised_at: dt.datetime
    cleared_at: dt.datetime | None


class ProjectComparisonOut(Schema):
    baseline_id: int
    baseline: str
    baseline_days: int
    days: int
    saved_days: int
    percent: float | None


class ProjectAppealOut(Schema):
    number: str
    title: str
    status: str


class ProjectEventOut(Schema):
    kind: str
    label: str
    by: str
    at: dt.datetime
    note: str


class ProjectOut(Schema):
    id: int
    number: str
    name: str
    enterprise_id: int
    enterprise: str
    amount: int
    industry: str
    region_id: int
    region: str
    leader: str
    officer: str
    task_force_id: int | None
    stage: str
    stage_label: str
    approval_days: int | None
    approval_done: bool
    approval_target: int
    stages: list[ProjectStageOut]
    steps: list[ProjectStepOut]
    spans: list[ProjectSpanOut]
    comparison: ProjectComparisonOut | None
    flags: list[ProjectFlagOut]
    appeals: list[ProjectAppealOut]
    events: list[ProjectEventOut]
    actions: list[str]


def _row(r: selectors.Row) -> ProjectRowOut:
    p = r.project
    return ProjectRowOut(
        id=p.pk,
        number=p.number,
        name=p.name,
        enterprise_id=p.enterprise_id,
        enterprise=p.enterprise.name,
        amount=p.amount,
        industry=p.industry,
        region_id=p.region_id,
        region=p.region.name,
        stage=p.stage,
        stage_label=p.get_stage_display(),
        sign_to_start_days=r.sign_to_start,
        approval_days=p.approval_days,
        approval_done=p.approval_done,
        open_flags=[f.rule for f in r.flags],
    )


def _project(user, project: Project) -> ProjectOut:
    d = report.describe(user, project)
    steps = []
    for s in d["steps"]:
        s["step"].project = project
        steps.append(
            ProjectStepOut(
                id=s["id"],
                kind=s["kind"],
                label=s["label"],
                department_id=s["department_id"],
                department=s["department"],
                state=s["state"],
                submitted_on=s["submitted"],
                approved_on=s["approved"],
                working_days=s["working_days"],
                elapsed_days=s["elapsed"],
                actions=[a.name for a in workflow.STEPS.available(s["step"], user)],
            )
        )
    c = d["comparison"]
    return ProjectOut(
        id=project.pk,
        number=project.number,
        name=project.name,
        enterprise_id=project.enterprise_id,
        enterprise=project.enterprise.name,
        amount=project.amount,
        industry=project.industry,
        region_id=project.region_id,
        region=project.region.name,
        leader=project.leader.display_name if project.leader else "",
        officer=project.officer.display_name if project.officer else "",
        task_force_id=project.task_force_id,
        stage=project.stage,
        stage_label=project.get_stage_display(),
        approval_days=project.approval_days,
        approval_done=project.approval_done,
        approval_target=d["approval"]["target"],
        stages=[
            ProjectStageOut(
                stage=s["stage"],
                label=s["label"],
                planned=s["planned"],
                actual=s["actual"],
                slippage_days=s["slippage"],
                current=s["current"],
            )
            for s in d["stages"]
        ],
        steps=steps,
        spans=[ProjectSpanOut(**s) for s in d["spans"]],
        comparison=ProjectComparisonOut(
            baseline_id=d["baseline"].pk,
            baseline=d["baseline"].name,
            baseline_days=c["baseline_days"],
            days=c["days"],
            saved_days=c["saved"],
            percent=c["percent"],
        )
        if c
        else None,
        flags=[
            ProjectFlagOut(
                rule=f.rule,
                label=f.get_rule_display(),
                detail=f.detail,
                raised_at=f.raised_at,
                cleared_at=f.cleared_at,
            )
            for f in project.flags.all()
        ],
        appeals=[
            ProjectAppealOut(number=a.number, title=a.title, status=a.status)
            for a in selectors.appeals_of(user, project)
        ],
        events=[
            ProjectEventOut(
                kind=e.kind, label=e.get_kind_display(), by=str(e.by) if e.by else "", at=e.at, note=e.note
            )
            for e in selectors.events_of(project)
        ],
        actions=[a.name for a in workflow.PROJECTS.available(project, user)],
    )


class ProjectFilters(Schema):
    stage: str = Field(
        "",
        max_length=12,
        description="阶段：negotiating | signed | landed | started | building | completed | producing",
    )
    industry: str = Field("", max_length=1, description="行业门类（GB/T 4754 门类字母）")
    region: int | None = Field(None, ge=1, le=2_000_000_000, description="区划（含下级）")
    flag: str = Field(
        "",
        max_length=24,
        description="三未预警：any 或 approved_not_started | started_not_built | built_not_finished",
    )
    q: str = Field("", max_length=60, description="项目名称、编号或企业名称")
    reached: str = Field("", max_length=12, description="在 start 至 end 期间达到的阶段（四个一批）")
    start: Day | None = None
    end: Day | None = None
    done: bool = Field(False, description="仅全流程审批已完成的项目")
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


@router.get("", response=ProjectPageOut, summary="重点项目列表（按权限范围）")
def project_list(request, filters: Query[ProjectFilters]):
    f = selectors.Filters(
        stage=filters.stage,
        industry=filters.industry,
        region=filters.region,
        flag=filters.flag,
        q=filters.q.strip(),
        reached=filters.reached,
        start=filters.start,
        end=filters.end,
        done=filters.done,
    )
    qs = selectors.filter_projects(selectors.projects_visible_to(request.auth), f).order_by(
        "-created_at", "-id"
    )
    totals = selectors.totals(qs)
    page = list(qs[filters.offset : filters.offset + filters.limit])
    return ProjectPageOut(
        count=qs.count(),
        items=[_row(r) for r in selectors.rows(page)],
        sign_to_start_median=totals["sign_to_start_median"],
        approval_median=totals["approval_median"],
        approval_target=totals["target"],
    )


class StageSummaryStageOut(Schema):
    stage: str
    label: str
    count: int
    median_approval_days: float | None
    url: str


class StageSummaryApprovalOut(Schema):
    median_days: float | None
    projects: int
    within_target: int
    target_days: int
    url: str


class StageSummaryFlagOut(Schema):
    rule: str
    label: str
    count: int
    url: str


class StageSummaryFlagsOut(Schema):
    open: int
    url: str
    rules: list[StageSummaryFlagOut]


class StageSummaryOut(Schema):
    total: int
    url: str
    stages: list[StageSummaryStageOut]
    approval: StageSummaryApprovalOut
    flags: StageSummaryFlagsOut


@router.get("/summary", response=StageSummaryOut, summary="按阶段统计、审批用时中位数、三未预警（驾驶舱）")
def summary(request, region: int | None = Query(None, ge=1, le=2_000_000_000)):
    return selectors.stage_summary(request.auth, report.region_param(region))


class ProjectBatchOut(Schema):
    batch: str
    label: str
    stage: str
    count: int
    amount: int
    url: str


class ProjectBatchesOut(Schema):
    start: dt.date
    end: dt.date
    batches: list[ProjectBatchOut]


@router.get("/batches", response=ProjectBatchesOut, summary="四个一批（挂牌、签约、开工、投产）")
def four_batches(
    request,
    period: str = Query("quarter", max_length=7, pattern="^(month|quarter|year)$"),
    date: Day | None = None,
    region: int | None = Query(None, ge=1, le=2_000_000_000),
):
    start, end = period_bounds(period, date or timezone.localdate())
    figures = selectors.four_batches(request.auth, start, end, report.region_param(region))
    return ProjectBatchesOut(start=start, end=end, batches=[ProjectBatchOut(**f) for f in figures])


@router.get("/{project_id}", response=ProjectOut, summary="重点项目详情")
def project_detail(request, project_id: int):
    return _project(request.auth, selectors.get_project(request.auth, project_id))


class ProjectRefOut(Schema):
    id: int
    number: str
    stage: str


@router.post("", response={201: ProjectRefOut}, summary="录入重点项目（营商办调度员）")
def create(request, payload: inputs.ProjectIn):
    made = actions.create(request.auth, payload)
    return Status(201, ProjectRefOut(id=made.pk, number=made.number, stage=made.stage))


def _after(request, project_id: int) -> ProjectOut:
    return _project(request.auth, selectors.get_project(request.auth, project_id))


@router.post(
    "/{project_id}/stage/{action}",
    response=ProjectOut,
    summary="推进阶段（sign | land | start | build | complete | produce）",
)
def move(request, project_id: int, action: str, payload: inputs.MoveIn):
    actions.move(request.auth, project_id, action[:12], payload)
    return _after(request, project_id)


@router.post("/{project_id}/correct", response=ProjectOut, summary="更正阶段（营商办，须说明原因）")
def correct(request, project_id: int, payload: inputs.CorrectIn):
    actions.correct(request.auth, project_id, payload)
    return _after(request, project_id)


@router.post("/{project_id}/plan", response=ProjectOut, summary="调整阶段计划日期")
def plan(request, project_id: int, payload: inputs.StagePlanIn):
    actions.plan(request.auth, project_id, payload)
    return _after(request, project_id)


@router.post("/{project_id}/steps", response={201: ProjectOut}, summary="新增审批环节")
def add_step(request, project_id: int, payload: inputs.StepIn):
    actions.add_step(request.auth, project_id, payload)
    return Status(201, _after(request, project_id))


@router.post(
    "/{project_id}/steps/{step_id}/{action}",
    response=ProjectOut,
    summary="记录审批环节日期（submit | approve）",
)
def record_step(request, project_id: int, step_id: int, action: str, payload: inputs.StepDateIn):
    actions.record_step(request.auth, project_id, step_id, action[:10], payload)
    return _after(request, project_id)


class ProjectProblemOut(Schema):
    number: str
    project_id: int


@router.post(
    "/{project_id}/problems",
    response={201: ProjectProblemOut},
    summary="提出项目问题（登记为投资企业的诉求）",
)
def raise_problem(request, project_id: int, payload: inputs.ProblemIn):
    appeal = actions.raise_problem(request.auth, project_id, payload)
    return Status(201, ProjectProblemOut(number=appeal.number, project_id=project_id))
