"""python manage.py rebuild_policy_tallies: recount the per-item match figures (``MatchTally``) from the stored
matches, for every item or the given ones. Last line: ``items=N rows=N``."""

from django.core.management.base import BaseCommand

from qinqing.policies import tallies


class Command(BaseCommand):
    help = "按已存匹配结果重算惠企政策逐项统计（符合条件、待确定、信用受限，按企业所在区划）"

    def add_arguments(self, parser):
        parser.add_argument("--item", type=int, action="append", dest="items", help="只重算该事项（可重复）")

    def handle(self, *args, **options):
        result = tallies.rebuild(options["items"])
        self.stdout.write(f"items={result['items']} rows={result['rows']}")
