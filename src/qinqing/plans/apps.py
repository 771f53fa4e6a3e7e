from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "qinqing.plans"
    label = "plans"
    verbose_name = "行动方案与任务清单"

    def ready(self) -> None:
        from qinqing.indices.hooks import register_contributions
        from qinqing.plans.selectors import contributions

        # The indicator page lists the plan tasks meant to move it, each as its reader may see it.
        register_contributions(contributions)
