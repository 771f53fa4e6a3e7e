"""python manage.py match_policies: match every enterprise against every open item (only changed results are
written; what became eligible is pushed). Last line: ``enterprises=N items=N eligible=N undetermined=N``."""

from django.core.management.base import BaseCommand

from qinqing.policies import matching


class Command(BaseCommand):
    help = "全量匹配惠企政策（只写入变化的结果，新符合条件的推送给企业和首席服务官）"

    def add_arguments(self, parser):
        parser.add_argument("--no-push", action="store_true", help="只匹配，不推送")

    def handle(self, *args, **options):
        stats = matching.run(push=not options["no_push"])
        self.stdout.write(f"written: created={stats.created} changed={stats.changed} deleted={stats.deleted}")
        self.stdout.write(stats.summary())
