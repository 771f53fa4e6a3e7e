from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "qinqing.insights"
    label = "insights"
    verbose_name = "文本分析"
