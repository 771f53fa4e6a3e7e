"""Menu entry of the office's sign-up queue (see ``core.navigation``)."""

from qinqing.accounts.models import Role
from qinqing.core.navigation import register

register("企业注册审核", "signup_queue", roles=[Role.DISPATCHER], order=155, group="政企服务")
