"""Menu entries of the key-project pages (see ``core.navigation``). The office and leaders find them under
任务与项目 (the plans app's tasks share the group); departments and service officers get one plain link."""

from qinqing.accounts.models import Role
from qinqing.core.navigation import register

OFFICE = [Role.DISPATCHER, Role.LEADER]

register("重点项目", "projects:list", roles=OFFICE, order=170, group="任务与项目")
register("四个一批", "projects:batches", roles=OFFICE, order=171, group="任务与项目")
register("重点项目审批", "projects:list", roles=[Role.HANDLER, Role.DEPT_HEAD], order=67, group="任务与项目")
register("我服务的项目", "projects:list", roles=[Role.OFFICER], order=50)
