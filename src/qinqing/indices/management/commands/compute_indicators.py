"""python manage.py compute_indicators [--year 2025 ...] — write the computed leaves (系统计算) now, as the nightly
job does; the last line is ``written=N unchanged=N empty=N``."""

from django.core.management.base import BaseCommand

from qinqing.indices import services


class Command(BaseCommand):
    help = "计算由本系统数据得出的评价指标（按期办结率、满意率等）"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", help="年度（可重复；默认去年与今年）")

    def handle(self, *args, **options):
        r = services.compute_observations(years=options["year"])
        self.stdout.write(f"written={r.written} unchanged={r.unchanged} empty={r.empty}")
