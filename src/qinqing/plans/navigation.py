"""Menu entries of the plans pages (see ``core.navigation``)."""

from qinqing.accounts.models import Role
from qinqing.core.navigation import register

LEADING = [Role.DISPATCHER, Role.LEADER]
DEPARTMENT = [Role.HANDLER, Role.DEPT_HEAD]

register("我的任务", "plans:tasks", roles=DEPARTMENT, order=12, group="任务与项目")
register("任务督办单", "plans:slips", roles=DEPARTMENT, order=13, group="任务与项目")
register("领导看板", "plans:dashboard", roles=LEADING, order=75, group="任务与项目")
register("行动方案", "plans:home", roles=LEADING, order=75, group="任务与项目")
register("任务清单", "plans:tasks", roles=LEADING, order=75, group="任务与项目")
register("任务督办单", "plans:slips", roles=LEADING, order=75, group="任务与项目")
register("任务推进排名", "plans:rankings", roles=LEADING, order=75, group="任务与项目")
register("四挂钩考核", "plans:assessment", roles=LEADING, order=75, group="任务与项目")
