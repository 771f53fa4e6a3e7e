from django.apps import AppConfig


class Config(AppConfig):
    name = "qinqing.accounts"
    label = "accounts"
    verbose_name = "用户与权限"
