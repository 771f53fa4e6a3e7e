"""What can happen to a task force (工作专班), and who may do it (the shape of ``appeals/workflow.py``): while it
is active the coordinating office and the member departments record progress, and the office closes it."""

from qinqing.accounts.models import Role
from qinqing.core.workflow import Action, Machine, table
from qinqing.fieldwork.models import TaskForce

OFFICE = "office"  # a dispatcher whose region contains the task force's
MEMBER = "member"  # staff of one of its member departments

S = TaskForce.State
TASK_FORCE_ACTIONS: dict[str, Action] = table(
    [
        Action("log", "记录进展", (S.ACTIVE,), None, frozenset({OFFICE, MEMBER})),
        Action("close", "专班完成", (S.ACTIVE,), S.DONE, frozenset({OFFICE})),
    ]
)


def task_force_parties(task_force: TaskForce, user) -> set[str]:
    found: set[str] = set()
    if not user.is_authenticated:
        return found
    if user.role == Role.DISPATCHER and user.region_id and task_force.region.is_within(user.region):
        found.add(OFFICE)
    if user.role in (Role.HANDLER, Role.DEPT_HEAD) and user.department_id:
        if task_force.members.filter(department=user.department_id).exists():
            found.add(MEMBER)
    return found


TASK_FORCES = Machine(TASK_FORCE_ACTIONS, task_force_parties)
