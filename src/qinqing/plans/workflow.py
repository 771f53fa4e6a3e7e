"""What can happen next to a plan, a task, a milestone and a 督办单, and who may do it.

Parties are relations of a user to the object:

- OFFICE: a dispatcher of the plan's region or of a region above it (营商办, who drafts and approves the plan);
- LEAD: a handler of the task's lead department, or a head of it or of a unit above it (files reports, submits
  milestones, asks for 销号, answers slips);
- SUPERVISOR: the task's 督办专员.
- REVIEWER: the task's 督办专员 and the office. Either signs milestones off and accepts 销号; both see the same
  evidence, and a plan without named 督办专员 still has a reviewer.
- SYSTEM: the sweep (no user).
"""

from __future__ import annotations

from qinqing.accounts.models import Role
from qinqing.core.workflow import Action, Machine, table
from qinqing.plans.models import Milestone, Plan, Slip, Task

OFFICE = "office"
LEAD = "lead"
SUPERVISOR = "supervisor"
REVIEWER = "reviewer"
SYSTEM = "system"

P = Plan.State
PLAN_ACTIONS = table(
    [
        Action("approve", "批准方案（冻结基线）", (P.DRAFT,), P.APPROVED, frozenset({OFFICE})),
        Action("end", "结束方案", (P.APPROVED,), P.ENDED, frozenset({OFFICE})),
        Action("edit", "编制任务", (P.DRAFT, P.APPROVED), None, frozenset({OFFICE})),
    ]
)


def is_office(plan: Plan, user) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and user.role == Role.DISPATCHER
        and user.region is not None
        and plan.region.is_within(user.region)
    )


def plan_parties(plan: Plan, user) -> set[str]:
    return {OFFICE} if is_office(plan, user) else set()


PLANS = Machine(PLAN_ACTIONS, plan_parties)


def is_lead(task: Task, user) -> bool:
    if user is None or not user.is_authenticated or user.department_id is None:
        return False
    if user.role == Role.HANDLER:
        return user.department_id == task.lead_department_id
    if user.role == Role.DEPT_HEAD:
        return task.lead_department.is_within(user.department)
    return False


def task_parties(task: Task, user) -> set[str]:
    if user is None:
        return {SYSTEM}
    found: set[str] = set()
    if task.plan.state != P.APPROVED:
        return found  # a draft plan is still being written, an ended one is history: nobody acts on its tasks
    if is_office(task.plan, user):
        found |= {OFFICE, REVIEWER}
    if task.supervisor_id is not None and task.supervisor_id == user.pk:
        found |= {SUPERVISOR, REVIEWER}
    if is_lead(task, user):
        found.add(LEAD)
    return found


T = Task.State
TASK_ACTIONS = table(
    [
        Action("report", "报送进展", (T.ACTIVE,), None, frozenset({LEAD})),
        Action("request_close", "申请销号", (T.ACTIVE,), T.PENDING_CLOSE, frozenset({LEAD})),
        Action("accept_close", "同意销号", (T.PENDING_CLOSE,), T.CLOSED, frozenset({REVIEWER})),
        Action("refuse_close", "不同意销号", (T.PENDING_CLOSE,), T.ACTIVE, frozenset({REVIEWER})),
        Action("reopen", "重新打开（指标未改善）", (T.CLOSED,), T.ACTIVE, frozenset({REVIEWER})),
        Action("reschedule", "调整节点时限", (T.ACTIVE,), None, frozenset({OFFICE})),
    ]
)
TASKS = Machine(TASK_ACTIONS, task_parties)


M = Milestone.State
MILESTONE_ACTIONS = table(
    [
        Action("submit", "提交审核", (M.OPEN, M.RETURNED), M.SUBMITTED, frozenset({LEAD})),
        Action("accept", "审核通过", (M.SUBMITTED,), M.DONE, frozenset({REVIEWER})),
        Action("return", "退回", (M.SUBMITTED,), M.RETURNED, frozenset({REVIEWER})),
    ]
)


def milestone_parties(milestone: Milestone, user) -> set[str]:
    found = task_parties(milestone.task, user)
    # A milestone moves only while its task is being carried out.
    return found if milestone.task.state == T.ACTIVE or user is None else set()


MILESTONES = Machine(MILESTONE_ACTIONS, milestone_parties)


S = Slip.State
SLIP_ACTIONS = table(
    [
        Action("answer", "回复督办", (S.ISSUED,), S.ANSWERED, frozenset({LEAD})),
        Action("close", "督办销号", (S.ISSUED, S.ANSWERED), S.CLOSED, frozenset({REVIEWER})),
        Action("escalate", "升级督办", (S.ISSUED,), None, frozenset({SYSTEM})),
    ]
)


def slip_parties(slip: Slip, user) -> set[str]:
    if user is None:
        return {SYSTEM}
    task = slip.task
    found: set[str] = set()
    if task.plan.state == P.DRAFT:
        return found
    if is_office(task.plan, user) or (task.supervisor_id is not None and task.supervisor_id == user.pk):
        found.add(REVIEWER)
    if is_lead(task, user):
        found.add(LEAD)
    return found


SLIPS = Machine(SLIP_ACTIONS, slip_parties)
