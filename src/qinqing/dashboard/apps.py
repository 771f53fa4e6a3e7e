from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "qinqing.dashboard"
    label = "dashboard"
    verbose_name = "驾驶舱"
