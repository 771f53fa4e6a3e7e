"""python manage.py export_framework --list | --code CODE --out FILE.xlsx

``--list`` prints one framework code a line. ``--code`` writes the framework as a workbook: sheet 指标, one row per
indicator (指标代码, 上级指标代码, 指标名称, 权重, 单位, 方向, 计分方法, 最优值, 最差值, 数据来源, 牵头部门, 频次, 系统计算来源),
and sheet 体系 with the framework's code, name, version, year, source and description (see indices/frameworks.py).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qinqing.indices import frameworks
from qinqing.indices.models import Framework


class Command(BaseCommand):
    help = "导出评价指标体系（Excel）"

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="列出体系代码，每行一个")
        parser.add_argument("--code", default="", help="体系代码")
        parser.add_argument("--out", default="", help="输出文件（.xlsx）")

    def handle(self, *args, **options):
        if options["list"]:
            for code in Framework.objects.order_by("code").values_list("code", flat=True):
                self.stdout.write(code)
            return
        if not options["code"] or not options["out"]:
            raise CommandError("请指定 --list，或同时指定 --code 与 --out")
        fw = Framework.objects.filter(code=options["code"]).first()
        if fw is None:
            raise CommandError(f"没有代码为“{options['code']}”的指标体系")
        Path(options["out"]).write_bytes(frameworks.export_xlsx(fw))
        self.stdout.write(f"indicators={fw.indicators.count()}")
