"""Menu entries of the index pages (see ``core.navigation``)."""

from qinqing.accounts.models import Role
from qinqing.core.navigation import register

register(
    "评价指标", "indices_frameworks", roles=[Role.DISPATCHER, Role.LEADER], order=106, group="任务与项目"
)
register("牵头指标", "indices_mine", roles=[Role.HANDLER, Role.DEPT_HEAD], order=17, group="任务与项目")
