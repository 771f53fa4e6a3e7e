"""Menu entry of the system administration (see ``core.navigation``)."""

from qinqing.accounts.models import Role
from qinqing.core.navigation import register

register("系统管理", "admin:index", roles=[Role.SYSADMIN], order=900)
register("账号与权限", "admin:index", roles=[Role.SECADMIN], order=900)
register("授权审批", "grants", roles=[Role.SECADMIN], order=910)
