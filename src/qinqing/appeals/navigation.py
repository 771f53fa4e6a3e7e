"""Menu entries of the appeals pages (see ``core.navigation``)."""

from qinqing.accounts.models import Role
from qinqing.core.navigation import register

register("我的诉求", "appeal_list", roles=[Role.ENTERPRISE], order=10)
register("调度台", "appeal_list", roles=[Role.DISPATCHER], order=10)
register("部门收件箱", "appeal_list", roles=[Role.HANDLER, Role.DEPT_HEAD], order=10)
register("诉求总览", "appeal_list", roles=[Role.LEADER], order=10)
register("服务企业诉求", "appeal_list", roles=[Role.OFFICER], order=10)
register("我登记的诉求", "appeal_list", roles=[Role.SUPERVISOR], order=10)
register("我要提诉求", "appeal_submit", roles=[Role.ENTERPRISE], order=20, css="primary")
register("代企业登记", "appeal_submit", roles=[Role.DISPATCHER], order=20)
register("我的数据", "my_data", roles=[Role.ENTERPRISE], order=25)
