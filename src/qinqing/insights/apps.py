from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "qinqing.insights"
    label = "insights"
    verbose_name = "文本分析"

    def ready(self) -> None:
        from qinqing.insights import signals  # noqa: F401
