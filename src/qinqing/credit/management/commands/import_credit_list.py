"""python manage.py import_credit_list --csv FILE --kind red|serious|abnormal|other [--list CODE]

The file is the whole list of its kind as the authority sent it (CSV in UTF-8, UTF-8 with BOM or GBK, or .xlsx):
columns uscc,name,reason,decision_no,decided_on,display_until (dates YYYY-MM-DD, optional earliest_end).
Refused rows are printed with their line and reason; the last line is ``added=N changed=N removed=N refused=N``.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qinqing.core.errors import DomainError
from qinqing.credit import services
from qinqing.credit.importing import MAX_BYTES, too_large
from qinqing.credit.models import CreditList, ImportBatch, ListKind


class Command(BaseCommand):
    help = "导入信用名单（整份名单：文件中没有的条目将移出）"

    def add_arguments(self, parser):
        parser.add_argument("--csv", required=True, help="名单文件（CSV 或 .xlsx）")
        parser.add_argument("--kind", required=True, choices=ListKind.values, help="名单类型")
        parser.add_argument("--list", dest="code", default="", help="名单代码（同类名单有多个时必填）")

    def handle(self, *args, **options):
        path = Path(options["csv"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise CommandError(too_large(size).message)
        try:
            if options["code"]:
                credit_list = CreditList.objects.filter(code=options["code"], kind=options["kind"]).first()
                if credit_list is None:
                    raise CommandError(f"没有代码为“{options['code']}”、类型为 {options['kind']} 的名单")
            else:
                credit_list = services.default_list(options["kind"])
            batch = services.import_list(
                credit_list, path.read_bytes(), filename=path.name, source=ImportBatch.Source.COMMAND
            )
        except DomainError as exc:
            raise CommandError(f"导入失败，未保存任何数据：{exc.message}") from exc
        for refused in batch.refused_rows:
            self.stdout.write(f"拒收 {refused['reason']}")
        self.stdout.write(
            f"名单：{credit_list.name}；批次 {batch.pk}；数据行 {batch.rows}，未变 {batch.unchanged}（编码 {batch.encoding}）"
        )
        self.stdout.write(batch.summary)
