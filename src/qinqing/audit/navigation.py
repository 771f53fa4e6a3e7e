"""Menu entry of the audit log (see ``core.navigation``)."""

from qinqing.accounts.models import Role
from qinqing.core.navigation import register

register("审计日志", "audit_log", roles=[Role.AUDITOR], order=900)
