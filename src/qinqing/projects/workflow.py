"""What can happen next to a key project and to one of its approval steps, and who may do it.

Parties are relations of a user to the project:

- ``OFFICE``: a dispatcher of the project's region or a region above it (the 营商办 that runs the project list);
- ``OFFICER``: the project's service officer (服务专员, whoever the office named on the project);
- ``LEAD``: a leader of the region or above, or the project's own 挂点领导: they read everything, move nothing;
- ``OWNER``: a user of the investor enterprise: reads its projects and may raise a problem about one;
- ``DEPARTMENT`` (of a step): the approving department's handlers, and the heads of it or of a unit above it;
- ``SYSTEM``: the 三未 sweep (no user).

Stage moves go one stage forward at a time (洽谈 → 签约 → … → 投产), by the office or the service officer, and
record the actual date. Going back is not a move: only the office may **correct** the stage, with a reason, and the
event keeps the actual dates the correction cleared.
"""

from __future__ import annotations

from qinqing.accounts.models import Role
from qinqing.core.workflow import Action, Machine, table
from qinqing.projects.models import STAGES, ApprovalStep, Project, Stage

OFFICE = "office"
OFFICER = "officer"
LEAD = "lead"
OWNER = "owner"
DEPARTMENT = "department"
SYSTEM = "system"

S = Stage
MOVERS = frozenset({OFFICE, OFFICER})

# action name -> the stage it leads to; each starts from the stage before.
MOVES: dict[str, str] = {
    "sign": S.SIGNED,
    "land": S.LANDED,
    "start": S.STARTED,
    "build": S.BUILDING,
    "complete": S.COMPLETED,
    "produce": S.PRODUCING,
}
MOVE_LABELS = {
    "sign": "签约",
    "land": "落地供地",
    "start": "开工",
    "build": "进入建设",
    "complete": "竣工",
    "produce": "投产",
}

PROJECT_ACTIONS = table(
    [
        *(
            Action(name, MOVE_LABELS[name], (STAGES[STAGES.index(target) - 1],), target, MOVERS)
            for name, target in MOVES.items()
        ),
        Action("correct", "更正阶段", STAGES[1:], None, frozenset({OFFICE})),
        Action("plan", "调整计划日期", STAGES, None, MOVERS),
        Action("add_step", "新增审批环节", STAGES, None, MOVERS),
        Action("raise_problem", "提出项目问题", STAGES, None, frozenset({OFFICE, OFFICER, OWNER})),
    ]
)


def in_region(project: Project, user) -> bool:
    region = user.region
    return region is not None and project.region.is_within(region)


def project_parties(project: Project, user) -> set[str]:
    if user is None:
        return {SYSTEM}
    found: set[str] = set()
    if not user.is_authenticated:
        return found
    if user.role == Role.DISPATCHER and in_region(project, user):
        found.add(OFFICE)
    if user.role == Role.LEADER and (in_region(project, user) or project.leader_id == user.pk):
        found.add(LEAD)
    if project.officer_id is not None and project.officer_id == user.pk:
        found.add(OFFICER)
    if user.role == Role.ENTERPRISE and user.enterprise_id == project.enterprise_id:
        found.add(OWNER)
    return found


PROJECTS = Machine(
    PROJECT_ACTIONS,
    project_parties,
    state=lambda project: project.stage,
    state_label=lambda project: project.get_stage_display(),
)

T = ApprovalStep.State

STEP_ACTIONS = table(
    [
        Action(
            "submit",
            "记录申报（受理）日期",
            (T.PLANNED,),
            T.SUBMITTED,
            frozenset({DEPARTMENT, OFFICE, OFFICER}),
        ),
        Action("approve", "记录批复日期", (T.SUBMITTED,), T.APPROVED, frozenset({DEPARTMENT, OFFICE})),
    ]
)


def is_department(step: ApprovalStep, user) -> bool:
    if user.role == Role.HANDLER and user.department_id:
        return step.department_id == user.department_id
    if user.role == Role.DEPT_HEAD and user.department is not None:
        return step.department.is_within(user.department)
    return False


def step_parties(step: ApprovalStep, user) -> set[str]:
    if user is None or not user.is_authenticated:
        return set()
    found = project_parties(step.project, user) & {OFFICE, OFFICER}
    if is_department(step, user):
        found.add(DEPARTMENT)
    return found


STEPS = Machine(
    STEP_ACTIONS,
    step_parties,
    state=lambda step: step.state,
    state_label=lambda step: step.get_state_display(),
)
