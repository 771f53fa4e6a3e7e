from django.core.management.base import BaseCommand

from qinqing.supervision.sweep import sweep


class Command(BaseCommand):
    help = (
        "时限巡检：黄灯预警、红灯超期、催办通知、升级通报（每几分钟运行一次；重复或并发运行不会重复发送）。"
    )

    def handle(self, *args, **options):
        result = sweep()
        created = "，".join(f"{k}={v}" for k, v in result.created.items())
        self.stdout.write(f"sweep done: {created}; notifications={result.notifications}")
