from django.apps import AppConfig


class FieldworkConfig(AppConfig):
    name = "qinqing.fieldwork"
    label = "fieldwork"
    verbose_name = "政企活动与服务"

    def ready(self) -> None:
        from qinqing.accounts.models import Role
        from qinqing.appeals.selectors import register_scope
        from qinqing.fieldwork import selectors
        from qinqing.fieldwork.reports import SPOT_CHECK_COLUMN, SPOT_CHECK_COUNT_COLUMN
        from qinqing.supervision.evaluation import register_column

        register_scope(Role.OFFICER, selectors.officer_appeal_scope)
        register_scope(Role.SUPERVISOR, selectors.supervisor_appeal_scope)
        register_column(SPOT_CHECK_COLUMN)
        register_column(SPOT_CHECK_COUNT_COLUMN)
