from django.core.management.base import BaseCommand, CommandError

from qinqing.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Issue an API bearer token for a user; the token is printed once and only its hash is stored."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="API 客户端")
        parser.add_argument(
            "--days", type=int, default=None, help="有效天数（默认 QINQING_API_TOKEN_DAYS，最长 365）"
        )

    def handle(self, *args, username: str, name: str, days: int | None = None, **options):
        if days is not None and not 1 <= days <= 365:
            raise CommandError("有效天数应在 1 到 365 之间")
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在或已停用")
        _, raw = ApiToken.issue(user=user, name=name, days=days)
        self.stdout.write(raw)
