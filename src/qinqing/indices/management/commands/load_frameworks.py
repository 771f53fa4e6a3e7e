"""python manage.py load_frameworks — load (or bring up to date) the shipped frameworks.

The three frameworks of ``indices/data`` (national, Guangdong 2023, B-READY), their mappings and the 四个环境
grouping. Migration 0002 loads them on every new database; this command re-applies the files after they change.
"""

from django.core.management.base import BaseCommand

from qinqing.indices import frameworks


class Command(BaseCommand):
    help = "加载随系统提供的评价指标体系（国家、广东省2023、世界银行 B-READY）"

    def handle(self, *args, **options):
        for code in frameworks.load_shipped():
            self.stdout.write(code)
