from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from qinqing.ops import backup


class Command(BaseCommand):
    help = "Write one dated archive: data of every app, attachments, routing models, a manifest of counts and hashes."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(Path(settings.VAR_DIR) / "backups"), help="备份目录")

    def handle(self, *args, output: str, **options):
        target = backup.create(Path(output))
        self.stdout.write(str(target))
