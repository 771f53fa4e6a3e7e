from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "qinqing.policies"
    label = "policies"
    verbose_name = "惠企政策"

    def ready(self) -> None:
        from qinqing.enterprises.services import register_attribute_listener
        from qinqing.policies import tasks

        register_attribute_listener(tasks.rematch_enterprises_later)
