"""Menu entry of the dashboard (see ``core.navigation``)."""

from qinqing.accounts.models import Role
from qinqing.core.navigation import register

register("驾驶舱", "dashboard", roles=[Role.DISPATCHER, Role.LEADER], order=70)
