"""State changes of plans, tasks, milestones and 督办单: one ``@transaction.atomic`` function per change, each
re-reading its row under ``select_for_update(of=("self",))``, checking the machine (``plans.workflow``) and writing one
``PlanEvent``, with its notifications, in the same transaction."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.core import workcalendar
from qinqing.core.errors import InvalidInput, NotPermitted, TransitionNotAllowed
from qinqing.core.files import check_for_viruses, content_matches
from qinqing.indices.models import Indicator
from qinqing.organisation.models import Department, containing
from qinqing.plans import periods, workflow
from qinqing.plans.models import Evidence, Milestone, Plan, PlanEvent, ProgressReport, Slip, Task
from qinqing.supervision.notices import Kind as NoticeKind
from qinqing.supervision.notify import notify

# ---------------------------------------------------------------- helpers


def _event(
    *,
    plan: Plan,
    kind: str,
    label: str,
    by: User | None,
    task: Task | None = None,
    milestone: Milestone | None = None,
    slip: Slip | None = None,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    **data,
) -> PlanEvent:
    return PlanEvent.objects.create(
        plan=plan,
        task=task,
        milestone=milestone,
        slip=slip,
        kind=kind,
        label=label,
        by=by,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data,
    )


def yellow_on(due: dt.date, today: dt.date) -> dt.date:
    total = max(1, workcalendar.working_days_between(today, due))
    return workcalendar.local_date(workcalendar.yellow_from(workcalendar.end_of_day(due), total))


def department_staff(department: Department) -> list[User]:
    return list(
        User.objects.filter(department=department, role__in=(Role.HANDLER, Role.DEPT_HEAD), is_active=True)
    )


def department_heads(department: Department) -> list[User]:
    """The heads of the department or of the unit above it (the person a slip escalates to)."""
    return list(
        User.objects.filter(containing(department, "department"), role=Role.DEPT_HEAD, is_active=True)
    )


def office_of(plan: Plan) -> list[User]:
    return list(User.objects.filter(region=plan.region, role=Role.DISPATCHER, is_active=True))


def leaders_of(plan: Plan) -> list[User]:
    return list(User.objects.filter(region=plan.region, role=Role.LEADER, is_active=True))


def _task_url(task: Task) -> str:
    return reverse("plans:task", args=[task.pk])


def _lock_task(task: Task) -> Task:
    return (
        Task.objects.select_for_update(of=("self",))
        .select_related("plan__region", "lead_department")
        .get(pk=task.pk)
    )


def _lock_milestone(milestone: Milestone) -> Milestone:
    return (
        Milestone.objects.select_for_update(of=("self",))
        .select_related("task__plan__region", "task__lead_department")
        .get(pk=milestone.pk)
    )


# ---------------------------------------------------------------- drafting


@transaction.atomic
def create_plan(
    *,
    by: User,
    year: int,
    title: str,
    number: str = "",
    leading_group: str = "",
    working_groups: str = "",
    cadence: str = "half_month",
    report_grace_days: int = 3,
) -> Plan:
    if by.role != Role.DISPATCHER or by.region is None:
        raise NotPermitted("只有营商办可以编制行动方案")
    plan = Plan.objects.create(
        region=by.region,
        year=year,
        title=title,
        number=number,
        leading_group=leading_group,
        working_groups=working_groups,
        cadence=cadence,
        report_grace_days=report_grace_days,
        created_by=by,
    )
    _event(plan=plan, kind="plan_created", label="编制方案", by=by, to_state=plan.state)
    return plan


@transaction.atomic
def add_task(
    *,
    plan: Plan,
    by: User,
    code: str,
    title: str,
    environment: str,
    lead_department: Department,
    responsibility: str = "lead",
    description: str = "",
    co_departments: Iterable[Department] = (),
    supervisor: User | None = None,
    weight: Decimal = Decimal("1"),
    indicators: Iterable[Indicator] = (),
    parent: Task | None = None,
) -> Task:
    plan = Plan.objects.select_for_update(of=("self",)).select_related("region").get(pk=plan.pk)
    workflow.PLANS.check(plan, "edit", by)
    if Task.objects.filter(plan=plan, code=code).exists():
        raise InvalidInput("任务编号重复", {"code": [f"本方案已有编号为 {code} 的任务"]})
    if not lead_department.region.is_within(plan.region):
        raise InvalidInput("牵头部门不在本方案的区划内", {"lead_department": ["牵头部门不在本方案的区划内"]})
    if parent is not None and parent.plan_id != plan.pk:
        raise InvalidInput("上级任务不属于本方案", {"parent": ["上级任务不属于本方案"]})
    if supervisor is not None and supervisor.role not in (Role.LEADER, Role.DISPATCHER, Role.DEPT_HEAD):
        raise InvalidInput("督办专员应为领导、营商办人员或部门负责人", {"supervisor": ["督办专员身份不符"]})
    task = Task.objects.create(
        plan=plan,
        parent=parent,
        code=code,
        title=title,
        description=description,
        environment=environment,
        lead_department=lead_department,
        responsibility=responsibility,
        supervisor=supervisor,
        weight=weight,
        position=Task.objects.filter(plan=plan).count(),
    )
    task.co_departments.set([d for d in co_departments if d.pk != lead_department.pk])
    task.indicators.set(list(indicators))
    _event(plan=plan, task=task, kind="task_added", label="新增任务", by=by, to_state=task.state)
    return task


@transaction.atomic
def add_milestone(
    *,
    task: Task,
    by: User,
    title: str,
    due: dt.date,
    expected_result: str,
    evidence_required: str,
    weight: Decimal = Decimal("1"),
) -> Milestone:
    task = _lock_task(task)
    workflow.PLANS.check(task.plan, "edit", by)
    if task.state == Task.State.CLOSED:
        raise TransitionNotAllowed("任务已销号，请先重新打开")
    if weight <= 0:
        raise InvalidInput("权重应大于0", {"weight": ["权重应大于0"]})
    today = timezone.localdate()
    milestone = Milestone.objects.create(
        task=task,
        title=title,
        due=due,
        yellow_on=yellow_on(due, min(today, due)),
        expected_result=expected_result,
        evidence_required=evidence_required,
        weight=weight,
        position=task.milestones.count(),
    )
    # A milestone added after approval has no baseline: the plan page shows it as 基线后新增.
    _event(
        plan=task.plan,
        task=task,
        milestone=milestone,
        kind="milestone_added",
        label="新增节点",
        by=by,
        due=due.isoformat(),
    )
    return milestone


@transaction.atomic
def approve_plan(*, plan: Plan, by: User, today: dt.date | None = None) -> Plan:
    plan = Plan.objects.select_for_update(of=("self",)).select_related("region").get(pk=plan.pk)
    workflow.PLANS.check(plan, "approve", by)
    tasks = list(plan.tasks.all())
    if not tasks:
        raise TransitionNotAllowed("方案还没有任务，不能批准")
    with_children = {t.parent_id for t in tasks if t.parent_id}
    with_milestones = set(Milestone.objects.filter(task__plan=plan).values_list("task_id", flat=True))
    bare = [t.code for t in tasks if t.pk not in with_children and t.pk not in with_milestones]
    if bare:
        raise TransitionNotAllowed(f"以下任务还没有节点（路线图、时间表）：{'、'.join(bare[:10])}")
    # The baseline: the dates as approved, kept however the milestones are rescheduled later.
    frozen = Milestone.objects.filter(task__plan=plan).update(baseline_due=F("due"))
    plan.state = Plan.State.APPROVED
    plan.approved_on = today or timezone.localdate()
    plan.approved_by = by
    plan.save(update_fields=["state", "approved_on", "approved_by"])
    _event(
        plan=plan,
        kind="plan_approved",
        label="批准方案",
        by=by,
        from_state=Plan.State.DRAFT,
        to_state=plan.state,
        milestones=frozen,
    )
    return plan


@transaction.atomic
def end_plan(*, plan: Plan, by: User) -> Plan:
    plan = Plan.objects.select_for_update(of=("self",)).select_related("region").get(pk=plan.pk)
    workflow.PLANS.check(plan, "end", by)
    plan.state = Plan.State.ENDED
    plan.save(update_fields=["state"])
    _event(
        plan=plan,
        kind="plan_ended",
        label="结束方案",
        by=by,
        from_state=Plan.State.APPROVED,
        to_state=plan.state,
    )
    return plan


@transaction.atomic
def reschedule_milestone(*, milestone: Milestone, by: User, due: dt.date, reason: str) -> Milestone:
    milestone = _lock_milestone(milestone)
    workflow.TASKS.check(milestone.task, "reschedule", by)
    if milestone.state == Milestone.State.DONE:
        raise TransitionNotAllowed("节点已完成，不能调整时限")
    if not reason.strip():
        raise InvalidInput("请说明调整原因", {"reason": ["此项为必填项"]})
    old = milestone.due
    milestone.due = due
    milestone.yellow_on = yellow_on(due, min(timezone.localdate(), due))
    milestone.save(update_fields=["due", "yellow_on"])
    _event(
        plan=milestone.task.plan,
        task=milestone.task,
        milestone=milestone,
        kind="milestone_rescheduled",
        label="调整节点时限",
        by=by,
        note=reason,
        old=old.isoformat(),
        new=due.isoformat(),
    )
    return milestone


# ---------------------------------------------------------------- evidence


def validate_upload(upload: UploadedFile) -> None:
    """The checks an appeal's attachment passes (type by extension and by content, size, virus scan)."""
    ext = os.path.splitext(upload.name or "")[1].lower().lstrip(".")
    if ext not in settings.ATTACHMENT_EXTENSIONS:
        allowed = "、".join(settings.ATTACHMENT_EXTENSIONS)
        raise InvalidInput(
            "附件类型不允许", {"attachments": [f"不支持 .{ext or '无扩展名'} 文件，允许的类型：{allowed}"]}
        )
    if (upload.size or 0) > settings.ATTACHMENT_MAX_BYTES:
        limit_mb = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise InvalidInput("附件过大", {"attachments": [f"“{upload.name}”超过 {limit_mb} MB 的上限"]})
    if not content_matches(upload, ext):
        raise InvalidInput(
            "附件内容与类型不符",
            {"attachments": [f"“{upload.name}”的内容不是 .{ext} 文件，请检查后重新上传"]},
        )
    check_for_viruses(upload)


def _validate_uploads(uploads: Sequence[UploadedFile]) -> None:
    if len(uploads) > settings.ATTACHMENT_MAX_FILES:
        raise InvalidInput(
            "附件过多", {"attachments": [f"一次最多上传 {settings.ATTACHMENT_MAX_FILES} 个附件"]}
        )
    if sum(u.size or 0 for u in uploads) > settings.ATTACHMENT_MAX_TOTAL_BYTES:
        limit_mb = settings.ATTACHMENT_MAX_TOTAL_BYTES // (1024 * 1024)
        raise InvalidInput("附件总量过大", {"attachments": [f"一次上传的附件合计不能超过 {limit_mb} MB"]})
    for upload in uploads:
        validate_upload(upload)


# ---------------------------------------------------------------- progress reports and milestones


@transaction.atomic
def file_report(
    *,
    task: Task,
    by: User,
    text: str,
    problems: str = "",
    milestone: Milestone | None = None,
    files: Sequence[UploadedFile] = (),
    link: str = "",
    today: dt.date | None = None,
) -> ProgressReport:
    """报送进展: the report counts for the period just ended while its window is open (and it has none), else for
    the current period. With ``milestone``, the report's evidence goes to it and it goes to review: a milestone
    goes to review only with evidence (this report's or earlier)."""
    # Race: two handlers filing at once; the task row's lock orders them, so each sees the other's period.
    task = _lock_task(task)
    workflow.TASKS.check(task, "report", by)
    if not text.strip():
        raise InvalidInput("请填写工作进展", {"text": ["此项为必填项"]})
    _validate_uploads(files)
    today = today or timezone.localdate()
    filed = set(task.reports.values_list("period_start", flat=True))
    start, end = periods.period_for_filing(task.plan, today, filed)
    if milestone is not None:
        milestone = _lock_milestone(milestone)
        if milestone.task_id != task.pk:
            raise InvalidInput("节点不属于该任务", {"milestone": ["节点不属于该任务"]})
        workflow.MILESTONES.check(milestone, "submit", by)
        if not files and not link and not milestone.evidence.exists():
            raise InvalidInput(
                "节点提交审核须附佐证材料",
                {"attachments": [f"请上传佐证材料或填写链接（要求：{milestone.evidence_required}）"]},
            )
    elif files or link:
        raise InvalidInput("佐证材料须对应一个节点", {"milestone": ["请选择佐证材料所对应的节点"]})
    report = ProgressReport.objects.create(
        task=task,
        period_start=start,
        period_end=end,
        due=periods.report_due(task.plan, end),
        text=text,
        problems=problems,
        milestone=milestone,
        filed_by=by,
    )
    if milestone is not None:
        for upload in files:
            Evidence.objects.create(
                milestone=milestone,
                report=report,
                file=upload,
                original_name=(upload.name or "")[:200],
                size=upload.size or 0,
                uploaded_by=by,
            )
        if link:
            Evidence.objects.create(milestone=milestone, report=report, link=link, uploaded_by=by)
        before = milestone.state
        milestone.state = Milestone.State.SUBMITTED
        milestone.submitted_at = timezone.now()
        milestone.save(update_fields=["state", "submitted_at"])
        _event(
            plan=task.plan,
            task=task,
            milestone=milestone,
            kind="milestone_submitted",
            label="节点提交审核",
            by=by,
            from_state=before,
            to_state=milestone.state,
        )
        reviewers = [task.supervisor] if task.supervisor else office_of(task.plan)
        notify(
            reviewers,
            kind=NoticeKind.PLAN_REVIEW,
            title=f"任务节点待审核：{task.code} {milestone.title}"[:120],
            body=f"{task.lead_department}报送了佐证材料，请审核。",
            url=_task_url(task),
        )
    _event(
        plan=task.plan,
        task=task,
        kind="report_filed",
        label="报送进展",
        by=by,
        period=f"{start.isoformat()}~{end.isoformat()}",
        report=report.pk,
    )
    return report


@transaction.atomic
def review_milestone(*, milestone: Milestone, by: User, accept: bool, note: str = "") -> Milestone:
    milestone = _lock_milestone(milestone)
    task = milestone.task
    workflow.MILESTONES.check(milestone, "accept" if accept else "return", by)
    if accept and not milestone.evidence.exists():
        raise TransitionNotAllowed("该节点没有佐证材料，不能审核通过")
    if not accept and not note.strip():
        raise InvalidInput("请说明退回原因", {"note": ["此项为必填项"]})
    before = milestone.state
    milestone.reviewed_by = by
    if accept:
        milestone.state = Milestone.State.DONE
        assert milestone.submitted_at is not None
        milestone.done_on = workcalendar.local_date(milestone.submitted_at)
    else:
        milestone.state = Milestone.State.RETURNED
    milestone.save(update_fields=["state", "reviewed_by", "done_on"])
    _event(
        plan=task.plan,
        task=task,
        milestone=milestone,
        kind="milestone_accepted" if accept else "milestone_returned",
        label="节点审核通过" if accept else "节点退回",
        by=by,
        from_state=before,
        to_state=milestone.state,
        note=note,
    )
    notify(
        department_staff(task.lead_department),
        kind=NoticeKind.PLAN_REVIEW,
        title=f"{'节点已审核通过' if accept else '节点被退回'}：{task.code} {milestone.title}"[:120],
        body=note,
        url=_task_url(task),
        departments=[task.lead_department],
    )
    return milestone


@transaction.atomic
def request_close(*, task: Task, by: User, note: str = "") -> Task:
    task = _lock_task(task)
    workflow.TASKS.check(task, "request_close", by)
    left = task.milestones.exclude(state=Milestone.State.DONE).count()
    if left:
        raise TransitionNotAllowed(f"尚有{left}个节点未完成审核，不能申请销号")
    return _move(task, by, Task.State.PENDING_CLOSE, "close_requested", "申请销号", note)


@transaction.atomic
def decide_close(*, task: Task, by: User, accept: bool, note: str = "") -> Task:
    task = _lock_task(task)
    workflow.TASKS.check(task, "accept_close" if accept else "refuse_close", by)
    if not accept and not note.strip():
        raise InvalidInput("请说明不同意销号的原因", {"note": ["此项为必填项"]})
    if accept:
        task.closed_at = timezone.now()
        task.save(update_fields=["closed_at"])
    moved = _move(
        task,
        by,
        Task.State.CLOSED if accept else Task.State.ACTIVE,
        "closed" if accept else "close_refused",
        "同意销号" if accept else "不同意销号",
        note,
    )
    notify(
        department_staff(task.lead_department),
        kind=NoticeKind.PLAN_REVIEW,
        title=f"{'任务已销号' if accept else '销号申请未通过'}：{task.code} {task.title}"[:120],
        body=note,
        url=_task_url(task),
    )
    return moved


@transaction.atomic
def reopen_task(*, task: Task, by: User, note: str) -> Task:
    """重新打开: the indicator the task was meant to move did not move. The reviewer then adds the milestones the
    task still needs (``add_milestone``; they have no baseline)."""
    task = _lock_task(task)
    workflow.TASKS.check(task, "reopen", by)
    if not note.strip():
        raise InvalidInput("请说明重新打开的原因", {"note": ["此项为必填项"]})
    task.closed_at = None
    task.save(update_fields=["closed_at"])
    moved = _move(task, by, Task.State.ACTIVE, "reopened", "重新打开", note)
    notify(
        department_staff(task.lead_department),
        kind=NoticeKind.PLAN_REVIEW,
        title=f"任务重新打开：{task.code} {task.title}"[:120],
        body=note,
        url=_task_url(task),
        departments=[task.lead_department],
    )
    return moved


def _move(task: Task, by: User, to: str, kind: str, label: str, note: str) -> Task:
    before = task.state
    task.state = to
    task.save(update_fields=["state"])
    _event(
        plan=task.plan, task=task, kind=kind, label=label, by=by, from_state=before, to_state=to, note=note
    )
    return task


# ---------------------------------------------------------------- 督办单


def _lock_slip(slip: Slip) -> Slip:
    return (
        Slip.objects.select_for_update(of=("self",))
        .select_related("task__plan__region", "task__lead_department", "task__supervisor")
        .get(pk=slip.pk)
    )


@transaction.atomic
def answer_slip(*, slip: Slip, by: User, answer: str) -> Slip:
    slip = _lock_slip(slip)
    workflow.SLIPS.check(slip, "answer", by)
    if not answer.strip():
        raise InvalidInput("请填写回复内容", {"answer": ["此项为必填项"]})
    slip.state = Slip.State.ANSWERED
    slip.answer = answer
    slip.answered_at = timezone.now()
    slip.answered_by = by
    slip.save(update_fields=["state", "answer", "answered_at", "answered_by"])
    _event(
        plan=slip.task.plan,
        task=slip.task,
        slip=slip,
        kind="slip_answered",
        label="回复督办",
        by=by,
        from_state=Slip.State.ISSUED,
        to_state=slip.state,
        note=answer,
    )
    notify(
        [slip.task.supervisor] if slip.task.supervisor else office_of(slip.task.plan),
        kind=NoticeKind.PLAN_SLIP,
        title=f"督办单已回复：{slip.task.code} {slip.reason}"[:120],
        body=answer,
        url=reverse("plans:slip", args=[slip.pk]),
        channels=(),
    )
    return slip


@transaction.atomic
def close_slip(*, slip: Slip, by: User, note: str = "") -> Slip:
    slip = _lock_slip(slip)
    workflow.SLIPS.check(slip, "close", by)
    before = slip.state
    slip.state = Slip.State.CLOSED
    slip.closed_at = timezone.now()
    slip.closed_by = by
    slip.save(update_fields=["state", "closed_at", "closed_by"])
    _event(
        plan=slip.task.plan,
        task=slip.task,
        slip=slip,
        kind="slip_closed",
        label="督办销号",
        by=by,
        from_state=before,
        to_state=slip.state,
        note=note,
    )
    return slip
