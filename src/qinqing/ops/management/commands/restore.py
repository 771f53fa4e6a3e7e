from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qinqing.ops import backup


class Command(BaseCommand):
    help = (
        "Restore an archive written by `backup` into an empty (migrated) database and an empty media folder."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive")

    def handle(self, *args, archive: str, **options):
        try:
            manifest = backup.restore(Path(archive))
        except backup.RestoreError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            f"已恢复 {rows} 条记录、{len(manifest['files']) - 1} 个文件（备份于 {manifest['created_at']}）"
        )
