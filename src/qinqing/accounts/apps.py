from django.apps import AppConfig


class Config(AppConfig):
    name = "qinqing.accounts"
    label = "accounts"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from qinqing.accounts.security import start_session

        user_logged_in.connect(lambda sender, request, user, **kw: start_session(request), weak=False)
