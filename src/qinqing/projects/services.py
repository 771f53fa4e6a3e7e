"""State changes of key projects: one ``@transaction.atomic`` function per change, each writing one
``ProjectEvent``; the checks of who may and when are ``projects.workflow``.

- ``create_project``: the office of the region (a dispatcher) enters a project at 洽谈 (actual date: today).
- ``move_stage``: one stage forward (office or service officer), recording the actual date (today unless given;
  never in the future, never before the previous stage's date). It clears any 三未 flag the move resolves.
- ``correct_stage``: the only way back: the office, with a reason; the event keeps the dates it cleared.
- ``plan_stage``, ``add_step``, ``record_step`` (a department records the dates of its own steps; the office and
  the officer may too, the officer only the submission): each recomputes the project's stored approval figures.
- ``raise_problem`` (提出项目问题): an appeal for the investor enterprise through the appeals intake (the office
  registers it on the enterprise's behalf, the service officer as its agent, the enterprise itself online),
  linked to the project.
- ``sweep_flags``: the 三未 sweep (``projects.tasks``): raises each flag once (a unique constraint on the open
  flag, so two sweeps at once on PostgreSQL raise it once), notifies the service officer, the 挂点领导 and the
  offices of the region (``project_flag``), and clears the flags whose rule no longer holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.appeals import services as appeal_services
from qinqing.appeals.models import Appeal, Category, Channel
from qinqing.core import numbering
from qinqing.core.errors import InvalidInput, NotPermitted, NotVisible
from qinqing.enterprises.models import Enterprise
from qinqing.fieldwork.models import TaskForce
from qinqing.organisation.models import Department, Region
from qinqing.projects import flags as flag_rules
from qinqing.projects import timing, workflow
from qinqing.projects.models import (
    STAGES,
    ApprovalStep,
    Project,
    ProjectAppeal,
    ProjectEvent,
    ProjectFlag,
    Stage,
    StagePlan,
    StepKind,
    stage_index,
)
from qinqing.supervision.notices import Kind as NoticeKind
from qinqing.supervision.notify import notify

K = ProjectEvent.Kind


def _event(project: Project, kind: str, by: User | None, note: str = "", **data) -> ProjectEvent:
    return ProjectEvent.objects.create(project=project, kind=kind, by=by, note=note, data=data)


def _lock(project: Project) -> Project:
    # of=("self",): lock only the project row (PostgreSQL refuses FOR UPDATE on the nullable side of a join).
    return (
        Project.objects.select_for_update(of=("self",))
        .select_related("region", "enterprise__region")
        .get(pk=project.pk)
    )


def _today() -> dt.date:
    return timezone.localdate()


def _not_future(on: dt.date, field: str) -> None:
    if on > _today():
        raise InvalidInput("日期不能晚于今天", {field: ["日期不能晚于今天"]})


# ---------------------------------------------------------------- the project


def _office_region(by: User) -> Region:
    if by.role != Role.DISPATCHER or by.region is None:
        raise NotPermitted("只有营商办调度员可以录入重点项目")
    return by.region


@transaction.atomic
def create_project(
    *,
    by: User,
    name: str,
    enterprise: Enterprise,
    amount: int,
    industry: str,
    region: Region,
    leader: User | None = None,
    officer: User | None = None,
    task_force: TaskForce | None = None,
    baseline: Project | None = None,
    note: str = "",
    since: dt.date | None = None,
) -> Project:
    """``since``: the day 洽谈 began (today unless given; a project entered late keeps its history)."""
    office = _office_region(by)
    errors: dict[str, list[str]] = {}
    if not region.is_within(office):
        errors["region_id"] = ["该区划不在您的管辖范围内"]
    if leader is not None and leader.role != Role.LEADER:
        errors["leader_id"] = ["挂点领导应为领导账号"]
    if officer is not None and officer.role != Role.OFFICER:
        errors["officer_id"] = ["服务专员应为首席服务官或驻点专员账号"]
    if task_force is not None and not task_force.region.is_within(office):
        errors["task_force_id"] = ["该专班不在您的管辖范围内"]
    if baseline is not None and not baseline.region.is_within(office):
        errors["baseline_id"] = ["对照项目不在您的管辖范围内"]
    if not name.strip():
        errors["name"] = ["此项为必填项"]
    today = _today()
    since = since or today
    if since > today:
        errors["since"] = ["日期不能晚于今天"]
    if errors:
        raise InvalidInput("提交内容有误，请修改后重试", errors)
    project = Project.objects.create(
        name=name.strip(),
        number=numbering.next_number("XM", today),
        enterprise=enterprise,
        amount=amount,
        industry=industry,
        region=region,
        leader=leader,
        officer=officer,
        task_force=task_force,
        baseline=baseline,
        note=note.strip(),
        created_by=by,
    )
    StagePlan.objects.bulk_create(
        [
            StagePlan(project=project, stage=s, actual_on=since if s == Stage.NEGOTIATING else None)
            for s in STAGES
        ]
    )
    _event(project, K.CREATED, by, data={"stage": Stage.NEGOTIATING, "on": since.isoformat()})
    return project


def _plans(project: Project) -> dict[str, StagePlan]:
    found = {p.stage: p for p in StagePlan.objects.filter(project=project)}
    for stage in STAGES:  # a project written before a stage existed, or by hand: every stage has its row
        if stage not in found:
            found[stage] = StagePlan.objects.create(project=project, stage=stage)
    return found


def _sign_to_start(plans: dict[str, StagePlan]) -> int | None:
    return timing.span(plans[Stage.SIGNED].actual_on, plans[Stage.STARTED].actual_on)


@transaction.atomic
def move_stage(
    *, by: User, project: Project, action: str, on: dt.date | None = None, note: str = ""
) -> Project:
    if action not in workflow.MOVES:
        raise NotVisible("未找到该操作")
    locked = _lock(project)
    step = workflow.PROJECTS.check(locked, action, by)
    target = workflow.MOVES[action]
    on = on or _today()
    _not_future(on, "on")
    plans = _plans(locked)
    previous = plans[STAGES[stage_index(target) - 1]].actual_on
    if previous is not None and on < previous:
        raise InvalidInput(
            "实际日期不能早于上一阶段的日期", {"on": [f"不能早于上一阶段的实际日期{previous:%Y-%m-%d}"]}
        )
    plan = plans[target]
    plan.actual_on = on
    plan.save(update_fields=["actual_on"])
    source = locked.stage
    locked.stage = target
    locked.sign_to_start_days = _sign_to_start(plans)
    locked.save(update_fields=["stage", "sign_to_start_days"])
    _event(
        locked, K.MOVED, by, note.strip(), action=step.name, source=source, target=target, on=on.isoformat()
    )
    _clear_resolved(locked, by)
    return locked


@transaction.atomic
def correct_stage(*, by: User, project: Project, stage: str, reason: str) -> Project:
    locked = _lock(project)
    workflow.PROJECTS.check(locked, "correct", by)
    if not reason.strip():
        raise InvalidInput("请填写更正原因", {"reason": ["此项为必填项"]})
    if stage not in STAGES or stage_index(stage) >= locked.stage_position:
        raise InvalidInput("只能更正为当前阶段之前的阶段", {"stage": ["只能更正为当前阶段之前的阶段"]})
    plans = _plans(locked)
    cleared = {}
    for later in STAGES[stage_index(stage) + 1 :]:
        plan = plans[later]
        if plan.actual_on is not None:
            cleared[later] = plan.actual_on.isoformat()
            plan.actual_on = None
            plan.save(update_fields=["actual_on"])
    source = locked.stage
    locked.stage = stage
    locked.sign_to_start_days = _sign_to_start(plans)
    locked.save(update_fields=["stage", "sign_to_start_days"])
    _event(locked, K.CORRECTED, by, reason.strip(), source=source, target=stage, cleared=cleared)
    _clear_resolved(locked, by)
    return locked


@transaction.atomic
def plan_stage(*, by: User, project: Project, stage: str, planned_on: dt.date) -> StagePlan:
    locked = _lock(project)
    workflow.PROJECTS.check(locked, "plan", by)
    if stage not in STAGES:
        raise InvalidInput("阶段不正确", {"stage": ["阶段不正确"]})
    plan = _plans(locked)[stage]
    before = plan.planned_on
    plan.planned_on = planned_on
    plan.save(update_fields=["planned_on"])
    _event(
        locked,
        K.PLANNED,
        by,
        stage=stage,
        before=before.isoformat() if before else None,
        planned_on=planned_on.isoformat(),
    )
    _clear_resolved(locked, by)
    return plan


# ---------------------------------------------------------------- approval steps


def _recompute(project: Project) -> None:
    """The stored whole-approval figures (see ``projects.models``) from the project's steps."""
    steps = list(ApprovalStep.objects.filter(project=project))
    approved = [
        (s.submitted_on, s.approved_on)
        for s in steps
        if s.submitted_on is not None and s.approved_on is not None
    ]
    project.approval_days = timing.union(approved) if approved else None
    project.approval_done = (
        bool(steps) and len(approved) == len(steps) and any(s.kind == StepKind.COMPLETION for s in steps)
    )
    project.save(update_fields=["approval_days", "approval_done"])


@transaction.atomic
def add_step(
    *, by: User, project: Project, kind: str, department: Department, name: str = ""
) -> ApprovalStep:
    locked = _lock(project)
    workflow.PROJECTS.check(locked, "add_step", by)
    if kind not in StepKind.values:
        raise InvalidInput("审批事项不正确", {"kind": ["审批事项不正确"]})
    if not department.active:
        raise InvalidInput("审批部门不存在", {"department_id": ["审批部门不存在"]})
    last = ApprovalStep.objects.filter(project=locked).order_by("-position").first()
    step = ApprovalStep.objects.create(
        project=locked,
        kind=kind,
        name=name.strip(),
        department=department,
        position=(last.position + 1) if last else 1,
    )
    _event(locked, K.STEP_ADDED, by, step=step.pk, label=step.label, department=department.name)
    _recompute(locked)
    return step


@transaction.atomic
def record_step(*, by: User, step: ApprovalStep, action: str, on: dt.date) -> ApprovalStep:
    """``submit``: the day the department accepted the application; ``approve``: the day it approved. The working
    days are counted from the first to the second, the first not counted (see ``projects.models``)."""
    if action not in workflow.STEP_ACTIONS:
        raise NotVisible("未找到该操作")
    project = _lock(step.project)
    locked = ApprovalStep.objects.select_for_update(of=("self",)).select_related("department").get(pk=step.pk)
    locked.project = project
    workflow.STEPS.check(locked, action, by)
    _not_future(on, "on")
    if action == "submit":
        locked.submitted_on = on
        kind = K.STEP_SUBMITTED
    else:
        assert locked.submitted_on is not None  # the machine only approves a submitted step
        if on < locked.submitted_on:
            raise InvalidInput(
                "批复日期不能早于申报日期", {"on": [f"不能早于申报日期{locked.submitted_on:%Y-%m-%d}"]}
            )
        locked.approved_on = on
        locked.working_days = timing.span(locked.submitted_on, on)
        kind = K.STEP_APPROVED
    locked.save(update_fields=["submitted_on", "approved_on", "working_days"])
    _event(
        project,
        kind,
        by,
        step=locked.pk,
        label=locked.label,
        department=locked.department.name,
        on=on.isoformat(),
        working_days=locked.working_days,
    )
    _recompute(project)
    _clear_resolved(project, by)
    return locked


# ---------------------------------------------------------------- appeals about a project


@transaction.atomic
def raise_problem(*, by: User, project: Project, title: str, content: str, category: Category) -> Appeal:
    locked = _lock(project)
    workflow.PROJECTS.check(locked, "raise_problem", by)
    found = workflow.project_parties(locked, by)
    enterprise = locked.enterprise
    if workflow.OWNER in found:
        appeal, _ = appeal_services.submit_appeal(
            by=by, title=title, content=content, category=category, enterprise=enterprise
        )
    elif workflow.OFFICE in found:
        appeal, _ = appeal_services.submit_appeal(
            by=by,
            title=title,
            content=content,
            category=category,
            enterprise=enterprise,
            channel=Channel.ONLINE,
        )
    else:
        # The project's service officer, as the enterprise's agent: the relation was checked by the machine.
        appeal, _ = appeal_services.submit_appeal(
            by=by,
            title=title,
            content=content,
            category=category,
            enterprise=enterprise,
            channel=Channel.CHIEF_OFFICER,
            agent_checked=True,
        )
    ProjectAppeal.objects.create(project=locked, appeal=appeal, linked_by=by)
    _event(locked, K.PROBLEM, by, appeal.title, appeal=appeal.number)
    return appeal


# ---------------------------------------------------------------- 三未


@dataclass
class SweepResult:
    raised: int = 0
    cleared: int = 0
    notified: int = 0


def _recipients(project: Project) -> list[User]:
    ids = {u for u in (project.officer_id, project.leader_id) if u}
    offices = User.objects.filter(
        is_active=True, role=Role.DISPATCHER, region_id__in=project.region.ancestor_ids()
    )
    return list(User.objects.filter(pk__in=ids, is_active=True)) + list(offices)


def _clear(project: Project, flag: ProjectFlag, by: User | None, why: str) -> bool:
    now = timezone.now()
    done = ProjectFlag.objects.filter(pk=flag.pk, cleared_at__isnull=True).update(
        cleared_at=now, cleared_note=why
    )
    if done:
        _event(project, K.FLAG_CLEARED, by, why, rule=flag.rule)
    return bool(done)


def _clear_resolved(project: Project, by: User | None) -> int:
    """Inside a change to the project: clear the open flags whose rule no longer holds (raising is the sweep's)."""
    open_flags = list(ProjectFlag.objects.filter(project=project, cleared_at__isnull=True))
    if not open_flags:
        return 0
    holding = flag_rules.holding(
        project,
        StagePlan.objects.filter(project=project),
        ApprovalStep.objects.filter(project=project),
        _today(),
    )
    return sum(
        _clear(project, f, by, "项目已推进，预警条件不再成立") for f in open_flags if f.rule not in holding
    )


def _raise(project: Project, rule: str, detail: str) -> bool:
    try:
        with transaction.atomic():
            flag = ProjectFlag.objects.create(project=project, rule=rule, detail=detail[:200])
    except IntegrityError:
        return False  # open already (a concurrent sweep raised it first)
    _event(project, K.FLAG_RAISED, None, detail, rule=rule)
    notify(
        _recipients(project),
        kind=NoticeKind.PROJECT_FLAG,
        title=f"重点项目{flag.get_rule_display()}预警：{project.name}"[:120],
        body=detail,
        url=reverse("projects:detail", args=[project.pk]),
    )
    return True


@transaction.atomic
def evaluate_project(project: Project, today: dt.date | None = None) -> SweepResult:
    """One project's 三未 flags on `today`: raise what holds and is not open, clear what is open and no longer holds."""
    today = today or _today()
    result = SweepResult()
    plans = list(project.plans.all())
    steps = list(project.steps.all())
    holding = flag_rules.holding(project, plans, steps, today)
    open_flags = {f.rule: f for f in ProjectFlag.objects.filter(project=project, cleared_at__isnull=True)}
    for rule, detail in holding.items():
        if rule not in open_flags and _raise(project, rule, detail):
            result.raised += 1
            result.notified += 1
    for rule, flag in open_flags.items():
        if rule not in holding and _clear(project, flag, None, "预警条件不再成立"):
            result.cleared += 1
    return result


def sweep_flags(today: dt.date | None = None, chunk: int = 500) -> SweepResult:
    """Every project that a rule can hold for (not yet 竣工) or that has an open flag; one transaction per project.
    Running it twice raises nothing twice."""
    today = today or _today()
    total = SweepResult()
    done_stages = [Stage.COMPLETED, Stage.PRODUCING]
    candidates = (
        Project.objects.exclude(stage__in=done_stages)
        | Project.objects.filter(
            pk__in=ProjectFlag.objects.filter(cleared_at__isnull=True).values("project_id")
        )
    ).order_by("pk")
    ids = list(candidates.values_list("pk", flat=True))
    for i in range(0, len(ids), chunk):
        batch = (
            Project.objects.filter(pk__in=ids[i : i + chunk])
            .select_related("region")
            .prefetch_related("plans", "steps")
        )
        for project in batch:
            result = evaluate_project(project, today)
            total.raised += result.raised
            total.cleared += result.cleared
            total.notified += result.notified
    return total
