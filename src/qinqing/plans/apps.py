from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "qinqing.plans"
    label = "plans"
    verbose_name = "行动方案与任务清单"
