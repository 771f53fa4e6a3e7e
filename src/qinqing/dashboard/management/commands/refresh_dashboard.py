from django.core.management.base import BaseCommand

from qinqing.dashboard.rollup import refresh


class Command(BaseCommand):
    help = (
        "刷新驾驶舱汇总（只重算有变化的日期；首次运行全量生成）。后台任务每分钟自动运行，此命令供手动使用。"
    )

    def handle(self, *args, **options):
        days = refresh()
        self.stdout.write("rebuilt all days" if days == -1 else f"refreshed {days} day(s)")
