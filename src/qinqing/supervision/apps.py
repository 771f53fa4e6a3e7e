from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "qinqing.supervision"
    label = "supervision"
    verbose_name = "督查督办"

    def ready(self) -> None:
        from qinqing.supervision import signals  # noqa: F401
        from qinqing.supervision.evaluation import register_column
        from qinqing.supervision.revisit_rates import COLUMNS

        for column in COLUMNS:
            register_column(column)
