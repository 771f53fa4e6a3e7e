from django.apps import AppConfig


class Config(AppConfig):
    name = "qinqing.core"
    label = "core"
    verbose_name = "基础数据"

    def ready(self) -> None:
        from qinqing.core import signals  # noqa: F401 - registers receivers
