"""Each project action once, for the page and the API: find the project (or step) through the user's selector
(invisible: 404), resolve the ids the input names, then call the one service."""

from __future__ import annotations

from qinqing.accounts.models import Role, User
from qinqing.appeals.models import Appeal, Category
from qinqing.core.errors import InvalidInput, NotVisible
from qinqing.enterprises.models import Enterprise
from qinqing.fieldwork.models import TaskForce
from qinqing.organisation.models import Department, Region
from qinqing.projects import inputs, selectors, services, workflow
from qinqing.projects.models import ApprovalStep, Project, StagePlan


def _missing(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, {field: [message]})


def _user(pk: int | None, role: str, field: str, message: str) -> User | None:
    if pk is None:
        return None
    found = User.objects.filter(pk=pk, role=role, is_active=True).first()
    if found is None:
        raise _missing(field, message)
    return found


def create(by: User, data: inputs.ProjectIn) -> Project:
    enterprise = Enterprise.objects.filter(pk=data.enterprise_id).select_related("region").first()
    if enterprise is None:
        raise _missing("enterprise_id", "投资企业不存在")
    region = Region.objects.filter(pk=data.region_id).first()
    if region is None:
        raise _missing("region_id", "区划不存在")
    task_force = None
    if data.task_force_id is not None:
        task_force = TaskForce.objects.filter(pk=data.task_force_id).select_related("region").first()
        if task_force is None:
            raise _missing("task_force_id", "工作专班不存在")
    baseline = None
    if data.baseline_id is not None:
        baseline = selectors.projects_visible_to(by).filter(pk=data.baseline_id).first()
        if baseline is None:
            raise _missing("baseline_id", "对照项目不存在")
    return services.create_project(
        by=by,
        name=data.name,
        enterprise=enterprise,
        amount=data.amount,
        industry=data.industry,
        region=region,
        leader=_user(data.leader_id, Role.LEADER, "leader_id", "挂点领导不存在"),
        officer=_user(data.officer_id, Role.OFFICER, "officer_id", "服务专员不存在"),
        task_force=task_force,
        baseline=baseline,
        note=data.note,
        since=data.since,
    )


def move(by: User, pk: int, action: str, data: inputs.MoveIn) -> Project:
    if action not in workflow.MOVES:
        raise NotVisible("未找到该操作")
    project = selectors.get_project(by, pk)
    return services.move_stage(by=by, project=project, action=action, on=data.on, note=data.note)


def correct(by: User, pk: int, data: inputs.CorrectIn) -> Project:
    project = selectors.get_project(by, pk)
    return services.correct_stage(by=by, project=project, stage=data.stage, reason=data.reason)


def plan(by: User, pk: int, data: inputs.StagePlanIn) -> StagePlan:
    project = selectors.get_project(by, pk)
    return services.plan_stage(by=by, project=project, stage=data.stage, planned_on=data.planned_on)


def add_step(by: User, pk: int, data: inputs.StepIn) -> ApprovalStep:
    project = selectors.get_project(by, pk)
    department = Department.objects.filter(pk=data.department_id, active=True).first()
    if department is None:
        raise _missing("department_id", "审批部门不存在")
    return services.add_step(by=by, project=project, kind=data.kind, department=department, name=data.name)


def record_step(by: User, pk: int, step_pk: int, action: str, data: inputs.StepDateIn) -> ApprovalStep:
    if action not in workflow.STEP_ACTIONS:
        raise NotVisible("未找到该操作")
    step = selectors.get_step(by, pk, step_pk)
    return services.record_step(by=by, step=step, action=action, on=data.on)


def raise_problem(by: User, pk: int, data: inputs.ProblemIn) -> Appeal:
    project = selectors.get_project(by, pk)
    category = Category.objects.filter(pk=data.category_id, active=True).first()
    if category is None:
        raise _missing("category_id", "问题类别不存在")
    return services.raise_problem(
        by=by, project=project, title=data.title, content=data.content, category=category
    )
