"""python manage.py import_framework --file FILE.xlsx

Reads the shape export_framework writes (方向 / 计分方法 / 频次 as the Chinese label or the code). A framework of the
same code is replaced as a whole (indicators missing from the file are removed, unless they have observations).
Errors are printed with their line and nothing is saved; the last line is ``indicators=N``.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qinqing.core.errors import DomainError
from qinqing.indices import frameworks


class Command(BaseCommand):
    help = "导入评价指标体系（Excel，与导出格式相同）"

    def add_arguments(self, parser):
        parser.add_argument("--file", required=True, help="指标体系文件（.xlsx）")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            fw = frameworks.save(frameworks.read_xlsx(path.read_bytes()))
        except DomainError as exc:
            for msgs in exc.errors.values():
                for m in msgs:
                    self.stderr.write(m)
            raise CommandError(f"导入失败，未保存任何数据：{exc.message}") from exc
        self.stdout.write(f"{fw.code} {fw.name}（{fw.version}）")
        self.stdout.write(f"indicators={fw.indicators.count()}")
