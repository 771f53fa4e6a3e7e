"""Menu entries of the policy pages (see ``core.navigation``)."""

from qinqing.accounts.models import Role
from qinqing.core.navigation import register

register("可享政策", "policies_mine", roles=[Role.ENTERPRISE], order=22)
register("企业档案", "policies_my_file", roles=[Role.ENTERPRISE], order=23)
register("政策任务", "policies_tasks", roles=[Role.OFFICER], order=7)
register("惠企政策", "policies_matches", roles=[Role.OFFICER], order=8)
register("惠企政策", "policies_figures", roles=[Role.DISPATCHER, Role.LEADER], order=105, group="惠企与信用")
register("政策事项", "policies_figures", roles=[Role.HANDLER, Role.DEPT_HEAD], order=16, group="惠企与信用")
register("我的兑现", "redemption_mine", roles=[Role.ENTERPRISE], order=24)
register("兑现办理", "redemption_queue", roles=[Role.HANDLER, Role.DEPT_HEAD], order=17, group="惠企与信用")
register("兑现办理", "redemption_queue", roles=[Role.DISPATCHER, Role.LEADER], order=106, group="惠企与信用")
register(
    "兑现统计", "redemption_figures", roles=[Role.DISPATCHER, Role.LEADER], order=107, group="惠企与信用"
)
register("兑现统计", "redemption_figures", roles=[Role.HANDLER, Role.DEPT_HEAD], order=18, group="惠企与信用")
