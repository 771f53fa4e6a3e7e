from django.apps import AppConfig


class Config(AppConfig):
    name = "qinqing.enterprises"
    label = "enterprises"
    verbose_name = "企业库"
