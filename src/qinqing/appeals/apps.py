from django.apps import AppConfig


class Config(AppConfig):
    name = "qinqing.appeals"
    label = "appeals"
    verbose_name = "诉求办理"

    def ready(self) -> None:
        from qinqing.appeals import signals  # noqa: F401 - registers receivers
