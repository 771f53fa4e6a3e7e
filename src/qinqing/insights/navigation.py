"""Menu entries of the insights pages (see ``core.navigation``)."""

from qinqing.accounts.models import Role
from qinqing.core.navigation import register

register(
    "共性问题",
    "insights_common",
    roles=[Role.DISPATCHER, Role.LEADER, Role.HANDLER, Role.DEPT_HEAD],
    order=40,
    group="诉求研判",
)
register("答复复核", "insights_replies", roles=[Role.DISPATCHER, Role.DEPT_HEAD], order=50, group="诉求研判")
