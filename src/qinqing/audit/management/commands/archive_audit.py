"""Archive the security audit records older than a date (at least the retention period old), or verify an archive.

    manage.py archive_audit --before 2026-06-01 --out /srv/backup/audit-2026-06.jsonl.gz
    manage.py archive_audit --verify /srv/backup/audit-2026-06.jsonl.gz

Nothing is deleted: the command prints the SQL the database owner runs to prune the archived rows."""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qinqing.audit import archive
from qinqing.audit.models import AuditRecord
from qinqing.audit.services import record


class Command(BaseCommand):
    help = "归档早于某日的安全审计记录（签名、带 SHA-256 清单），或校验已有归档"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--before", type=dt.date.fromisoformat, help="截止日期 YYYY-MM-DD（不含当天）")
        parser.add_argument("--out", type=Path, help="归档文件，如 audit-2026-06.jsonl.gz")
        parser.add_argument("--verify", type=Path, help="校验一个归档文件及其清单")

    def handle(self, *args, before=None, out=None, verify=None, **options) -> None:
        try:
            if verify is not None:
                found = archive.verify(verify)
                m = found.manifest
                self.stdout.write(
                    f"归档完好：{m['count']} 条记录（编号 {m['first_id']}–{m['last_id']}，早于 {m['before']}）"
                )
                return
            if before is None or out is None:
                raise CommandError("需要 --before 日期 和 --out 文件（或 --verify 文件）")
            written = archive.write(before, out)
        except archive.ArchiveError as exc:
            raise CommandError(str(exc)) from exc
        m = written.manifest
        record(
            AuditRecord.Action.AUDIT_ARCHIVED,
            username="manage.py archive_audit",
            target=out.name,
            before=m["before"],
            count=m["count"],
            sha256=m["sha256"],
            out=str(out),
        )
        self.stdout.write(f"已归档 {m['count']} 条记录到 {out}（清单 {archive.manifest_path(out)}）")
        self.stdout.write("妥善保存归档（异地备份）并用 --verify 校验后，由数据库属主角色执行：")
        self.stdout.write(written.prune_sql)
