"""Menu entries of the credit pages (see ``core.navigation``)."""

from qinqing.accounts.models import Role
from qinqing.core.navigation import register

register("我的信用", "credit:status", roles=[Role.ENTERPRISE], order=27)
register("信易贷", "credit:products", roles=[Role.ENTERPRISE], order=28)
register("信用名单", "credit:entries", roles=[Role.HANDLER, Role.DEPT_HEAD], order=65, group="惠企与信用")
register(
    "信用异议与修复", "credit:requests", roles=[Role.HANDLER, Role.DEPT_HEAD], order=66, group="惠企与信用"
)
register("信用名单", "credit:entries", roles=[Role.DISPATCHER, Role.LEADER], order=160, group="惠企与信用")
register(
    "信用异议与修复", "credit:requests", roles=[Role.DISPATCHER, Role.LEADER], order=161, group="惠企与信用"
)
register("信易贷申请", "credit:loans", roles=[Role.DISPATCHER, Role.LEADER], order=162, group="惠企与信用")
