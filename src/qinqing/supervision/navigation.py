"""Menu entries of the supervision pages (see ``core.navigation``)."""

from qinqing.accounts.models import Role
from qinqing.core.navigation import register

register("红黑榜", "public_honours", roles=[Role.ENTERPRISE, Role.SUPERVISOR], order=30)
register(
    "督办",
    "supervision_orders",
    roles=[Role.DISPATCHER, Role.HANDLER, Role.DEPT_HEAD, Role.LEADER],
    order=60,
    group="督查考评",
)
register(
    "部门考评", "supervision_evaluation", roles=[Role.DISPATCHER, Role.LEADER], order=80, group="督查考评"
)
register("每周督办", "supervision_weekly", roles=[Role.DISPATCHER, Role.LEADER], order=90, group="督查考评")
register("红黑榜", "supervision_honours", roles=[Role.DISPATCHER, Role.LEADER], order=100, group="督查考评")
