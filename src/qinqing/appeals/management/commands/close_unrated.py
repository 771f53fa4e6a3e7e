from django.core.management.base import BaseCommand

from qinqing.appeals import services


class Command(BaseCommand):
    help = "Close replied appeals whose rating window has passed (run from cron every few minutes; safe to overlap)."

    def handle(self, *args, **options):
        closed = services.close_unrated()
        self.stdout.write(f"自动办结 {closed} 件超期未评价的诉求")
