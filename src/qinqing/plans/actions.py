"""Each plans action once, for the page and the API: find the object through the user's selectors (invisible:
404), then call the one service."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile

from qinqing.accounts.models import Role, User
from qinqing.core.errors import InvalidInput, NotVisible
from qinqing.indices.models import Indicator
from qinqing.organisation.models import Department
from qinqing.plans import inputs, rankings, selectors, services
from qinqing.plans.models import Milestone, Plan, ProgressReport, Ranking, Slip, Task

TASK_STEPS = ("request_close", "accept_close", "refuse_close", "reopen")
MILESTONE_STEPS = ("accept", "return")
SLIP_STEPS = ("answer", "close")


def create_plan(by: User, data: inputs.PlanIn) -> Plan:
    return services.create_plan(by=by, **data.dict())


def add_task(by: User, plan_pk: int, data: inputs.PlanTaskIn) -> Task:
    plan = selectors.get_plan(by, plan_pk)
    lead = Department.objects.filter(pk=data.lead_department).select_related("region").first()
    if lead is None:
        raise InvalidInput("牵头部门不存在", {"lead_department": ["牵头部门不存在"]})
    co = list(Department.objects.filter(pk__in=data.co_departments))
    if len(co) != len(set(data.co_departments)):
        raise InvalidInput("配合部门不存在", {"co_departments": ["有配合部门不存在"]})
    supervisor = None
    if data.supervisor is not None:
        supervisor = User.objects.filter(pk=data.supervisor, is_active=True).first()
        if supervisor is None:
            raise InvalidInput("督办专员不存在", {"supervisor": ["督办专员不存在"]})
    found = list(Indicator.objects.filter(pk__in=data.indicators))
    if len(found) != len(set(data.indicators)):
        raise InvalidInput("指标不存在", {"indicators": ["有指标不存在"]})
    parent = None
    if data.parent is not None:
        parent = selectors.tasks_visible_to(by).filter(pk=data.parent, plan=plan).first()
        if parent is None:
            raise InvalidInput("上级任务不存在", {"parent": ["上级任务不属于本方案"]})
    return services.add_task(
        plan=plan,
        by=by,
        code=data.code,
        title=data.title,
        description=data.description,
        environment=data.environment,
        lead_department=lead,
        responsibility=data.responsibility,
        co_departments=co,
        supervisor=supervisor,
        weight=Decimal(str(data.weight)),
        indicators=found,
        parent=parent,
    )


def add_milestone(by: User, task_pk: int, data: inputs.PlanMilestoneIn) -> Milestone:
    task = selectors.get_task(by, task_pk)
    return services.add_milestone(
        task=task,
        by=by,
        title=data.title,
        due=data.due,
        expected_result=data.expected_result,
        evidence_required=data.evidence_required,
        weight=Decimal(str(data.weight)),
    )


def plan_step(by: User, pk: int, step: str) -> Plan:
    plan = selectors.get_plan(by, pk)
    if step == "approve":
        return services.approve_plan(plan=plan, by=by)
    if step == "end":
        return services.end_plan(plan=plan, by=by)
    raise NotVisible("未找到该操作")


def file_report(
    by: User, task_pk: int, data: inputs.PlanReportIn, files: Sequence[UploadedFile] = ()
) -> ProgressReport:
    task = selectors.get_task(by, task_pk)
    milestone = None
    if data.milestone is not None:
        milestone = selectors.milestones_of(by, task).filter(pk=data.milestone).first()
        if milestone is None:
            raise InvalidInput("节点不属于该任务", {"milestone": ["节点不属于该任务"]})
    return services.file_report(
        task=task,
        by=by,
        text=data.text,
        problems=data.problems,
        milestone=milestone,
        files=files,
        link=data.link,
    )


def task_step(by: User, pk: int, step: str, data: inputs.PlanNoteIn) -> Task:
    if step not in TASK_STEPS:
        raise NotVisible("未找到该操作")
    task = selectors.get_task(by, pk)
    if step == "request_close":
        return services.request_close(task=task, by=by, note=data.note)
    if step == "reopen":
        return services.reopen_task(task=task, by=by, note=data.note)
    return services.decide_close(task=task, by=by, accept=step == "accept_close", note=data.note)


def milestone_step(by: User, pk: int, step: str, data: inputs.PlanReviewIn) -> Milestone:
    if step not in MILESTONE_STEPS:
        raise NotVisible("未找到该操作")
    milestone = selectors.get_milestone(by, pk)
    return services.review_milestone(milestone=milestone, by=by, accept=step == "accept", note=data.note)


def reschedule(by: User, pk: int, data: inputs.PlanRescheduleIn) -> Milestone:
    milestone = selectors.get_milestone(by, pk)
    return services.reschedule_milestone(milestone=milestone, by=by, due=data.due, reason=data.reason)


def answer_slip(by: User, pk: int, data: inputs.SlipAnswerIn) -> Slip:
    return services.answer_slip(slip=selectors.get_slip(by, pk), by=by, answer=data.answer)


def close_slip(by: User, pk: int, data: inputs.PlanNoteIn) -> Slip:
    return services.close_slip(slip=selectors.get_slip(by, pk), by=by, note=data.note)


def publish_ranking(by: User, data: inputs.PlanRankingIn) -> Ranking:
    return rankings.publish(by=by, period=data.period, anchor=data.month, confirm=data.confirm)


def leader_region(by: User):
    """The region whose rankings and assessment sheet ``by`` reads: an office's or a leader's own."""
    if by.role not in (Role.DISPATCHER, Role.LEADER) or by.region is None:
        raise NotVisible("未找到页面")
    return by.region
