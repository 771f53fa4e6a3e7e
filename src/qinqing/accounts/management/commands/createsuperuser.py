"""``createsuperuser`` is refused: qinqing runs without superusers (三员分立, docs/security.md). It is the deployer's
break-glass door only, used with ``--break-glass --reason "…"``, and every use is a security audit record naming
the new account, the reason and the server account that ran it.

qinqing.accounts comes before django.contrib.auth in INSTALLED_APPS so this command replaces Django's."""

import getpass

from django.contrib.auth.management.commands import createsuperuser
from django.core.management.base import CommandError

from qinqing.accounts.models import User
from qinqing.accounts.signals import break_glass_used

MIN_REASON = 10


class Command(createsuperuser.Command):
    help = "紧急情况下创建超级管理员（须 --break-glass 和 --reason，记入安全审计日志）；平时请由安全管理员创建账号"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--break-glass", action="store_true", help="确认这是紧急情况下的破窗操作")
        parser.add_argument("--reason", default="", help=f"原因（至少 {MIN_REASON} 个字），记入审计日志")

    def handle(self, *args, **options):
        reason = (options.get("reason") or "").strip()
        if not options.get("break_glass"):
            raise CommandError(
                "亲清不设超级管理员（三员分立）：账号由安全管理员在“账号与权限”中创建和授权。"
                '紧急情况下确需超级管理员时，使用 --break-glass --reason "原因"，此次使用会记入安全审计日志。'
            )
        if len(reason) < MIN_REASON:
            raise CommandError(f"请用 --reason 写明原因（至少 {MIN_REASON} 个字），它会记入安全审计日志")
        before = set(User.objects.filter(is_superuser=True).values_list("pk", flat=True))
        super().handle(*args, **options)
        try:
            operator = getpass.getuser()
        except (KeyError, OSError):
            operator = ""
        for user in User.objects.filter(is_superuser=True).exclude(pk__in=before):
            break_glass_used.send(sender=User, user=user, reason=reason, operator=operator)
            self.stderr.write(
                f"已创建超级管理员 {user.get_username()} 并记入安全审计日志。用完请由安全管理员停用该账号。"
            )
