from django.apps import AppConfig


class IndicesConfig(AppConfig):
    name = "qinqing.indices"
    label = "indices"
    verbose_name = "营商环境评价指标体系"
