from django.apps import AppConfig


class SignupConfig(AppConfig):
    name = "qinqing.signup"
    label = "signup"
    verbose_name = "企业自助注册与找回密码"
