from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qinqing.accounts.models import User
from qinqing.appeals import services
from qinqing.core.errors import DomainError


class Command(BaseCommand):
    help = "导入诉求台账（.xlsx，按平台模板）：以营商办调度员的身份，整个文件无误才导入，否则逐行列出错误。"

    def add_arguments(self, parser):
        parser.add_argument("--xlsx", required=True, help="台账文件（.xlsx）")
        parser.add_argument("--user", required=True, help="导入人（营商办调度员）的用户名")
        parser.add_argument("--region", help="区划代码：须为导入人所在区划（核对用）")

    def handle(self, *args, **options):
        user = User.objects.select_related("region").filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"用户“{options['user']}”不存在")
        if options["region"] and (user.region is None or user.region.code != options["region"]):
            raise CommandError(f"用户“{user.username}”不属于区划 {options['region']}")
        path = Path(options["xlsx"])
        if not path.is_file():
            raise CommandError(f"文件“{path}”不存在")
        try:
            batch = services.import_ledger(by=user, file_name=path.name, content=path.read_bytes())
        except DomainError as exc:
            lines = [m for msgs in exc.errors.values() for m in msgs if m != exc.message]
            raise CommandError("\n".join([exc.message, *lines])) from exc
        self.stdout.write(f"已导入“{batch.file_name}”中的 {batch.rows} 件诉求")
