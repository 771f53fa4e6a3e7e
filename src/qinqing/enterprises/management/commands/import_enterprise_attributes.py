"""python manage.py import_enterprise_attributes --csv FILE: a department's file of enterprise attributes
(一企一档), columns uscc,key,value,source,as_of[,valid_until]; an empty value removes the attribute.

Bad rows are refused one by one with their line number (the good rows are imported); a file that is wrong as a
whole (encoding, columns, size) is refused entirely and nothing is saved. The last line is always
``added=N changed=N removed=N refused=N``."""

import uuid
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qinqing.enterprises import importing, services


class Command(BaseCommand):
    help = "导入企业档案属性（CSV：uscc,key,value,source,as_of[,valid_until]；UTF-8 或 GBK）"

    def add_arguments(self, parser):
        parser.add_argument("--csv", required=True, help="CSV 文件路径")

    def handle(self, *args, **options):
        path = Path(options["csv"])
        try:
            if not path.is_file():
                raise importing.FileRefused(f"找不到文件：{path}")
            if path.stat().st_size > importing.MAX_BYTES:
                raise importing.FileRefused(
                    f"文件过大（{path.stat().st_size // (1024 * 1024)} MB），单个文件不能超过 20 MB，请拆分后导入"
                )
            rows, refused = importing.read(path.read_bytes())
        except importing.FileRefused as exc:
            # The summary stays the last line of the output; the reason goes to stderr and the exit code is 1.
            self.stdout.write(services.ImportResult().summary())
            raise CommandError(f"{exc.message}；未导入任何数据") from None
        result = services.import_attributes(rows=rows, refused=refused, batch=uuid.uuid4().hex[:12])
        for line, reason in result.refused:
            self.stdout.write(f"第{line}行：{reason}")
        self.stdout.write(result.summary())
