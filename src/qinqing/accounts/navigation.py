"""Menu entry of the system administration (see ``core.navigation``)."""

from qinqing.accounts.models import Role
from qinqing.core.navigation import register

register("系统管理", "admin:index", roles=[Role.SYSADMIN], order=900)
