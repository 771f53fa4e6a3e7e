from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "qinqing.audit"
    verbose_name = "安全审计"

    def ready(self) -> None:
        from qinqing.audit import signals  # noqa: F401  (receivers of login, logout and lockout)
