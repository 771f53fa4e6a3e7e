from django.apps import AppConfig


class Config(AppConfig):
    name = "qinqing.organisation"
    label = "organisation"
    verbose_name = "组织机构"
