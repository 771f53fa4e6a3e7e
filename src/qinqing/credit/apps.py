from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "qinqing.credit"
    label = "credit"
    verbose_name = "信用信息（信易+）"
