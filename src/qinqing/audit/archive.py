"""Archives of the security audit log: the records older than a date, written out so the database owner can prune
them (the application's role cannot: the append-only trigger refuses DELETE).

An archive is two files: ``FILE`` (gzip of JSON lines, one record a line, oldest first) and ``FILE.manifest.json``
(what it holds: the cut-off, the count, the first and last record id, the SHA-256 of ``FILE``), the manifest signed
with the deployment's SECRET_KEY (HMAC-SHA256 through ``django.core.signing``). ``verify`` refuses an archive whose
bytes or manifest were changed. Records newer than the retention period (``QINQING_AUDIT_RETENTION_DAYS``, at least
180) are never archived, so never pruned."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from qinqing.audit.models import AuditRecord

FORMAT = "qinqing-audit-archive/1"
SALT = "qinqing.audit.archive"
FIELDS = ["id", "at", "action", "outcome", "actor_id", "username", "role", "ip_address", "user_agent", "path",
          "target", "detail"]  # fmt: skip


class ArchiveError(Exception):
    pass


@dataclass(frozen=True)
class Archive:
    path: Path
    manifest: dict

    @property
    def prune_sql(self) -> str:
        """What the database owner runs after keeping the archive safe (docs/security.md)."""
        m = self.manifest
        table = AuditRecord._meta.db_table
        return (
            "BEGIN;\n"
            f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only;\n"
            f"DELETE FROM {table} WHERE id BETWEEN {int(m['first_id'])} AND {int(m['last_id'])} "
            f"AND at < '{m['before']}';\n"
            f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only;\n"
            "COMMIT;"
        )


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


def earliest_cut_off() -> dt.date:
    """The latest date an archive may cut at: today less the retention period."""
    return timezone.localdate() - dt.timedelta(days=settings.QINQING_AUDIT_RETENTION_DAYS)


def write(before: dt.date, out: Path) -> Archive:
    if before > earliest_cut_off():
        raise ArchiveError(
            f"审计记录至少保留 {settings.QINQING_AUDIT_RETENTION_DAYS} 天：截止日期不能晚于 {earliest_cut_off():%Y-%m-%d}"
        )
    if out.exists() or manifest_path(out).exists():
        raise ArchiveError(f"{out} 已存在，不覆盖已有归档")
    cut = timezone.make_aware(dt.datetime.combine(before, dt.time.min))
    rows = AuditRecord.objects.filter(at__lt=cut).order_by("id").values_list(*FIELDS)
    count, first_id, last_id = 0, None, None
    out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(out, "wt", encoding="utf-8") as f:
        for row in rows.iterator(chunk_size=2000):
            data = dict(zip(FIELDS, row, strict=True))
            f.write(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
            first_id = data["id"] if first_id is None else first_id
            last_id = data["id"]
    if count == 0:
        out.unlink()
        raise ArchiveError(f"{before:%Y-%m-%d} 之前没有审计记录，未生成归档")
    manifest = {
        "format": FORMAT,
        "before": cut.isoformat(),
        "count": count,
        "first_id": first_id,
        "last_id": last_id,
        "file": out.name,
        "sha256": _sha256(out),
        "written_at": timezone.now().isoformat(),
    }
    signed = {"manifest": manifest, "signature": signing.Signer(salt=SALT).signature(_canonical(manifest))}
    manifest_path(out).write_text(json.dumps(signed, ensure_ascii=False, indent=2), encoding="utf-8")
    return Archive(out, manifest)


def verify(path: Path) -> Archive:
    """The archive at `path` if its manifest's signature and its bytes are intact; ArchiveError otherwise."""
    try:
        signed = json.loads(manifest_path(path).read_text(encoding="utf-8"))
        manifest = signed["manifest"]
        signature = signed["signature"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ArchiveError(f"读不到归档清单 {manifest_path(path)}：{exc}") from exc
    expected = signing.Signer(salt=SALT).signature(_canonical(manifest))
    if not constant_time_compare(expected, signature):
        raise ArchiveError("归档清单的签名不符：清单被改动过，或不是本系统（本 SECRET_KEY）写的")
    if not path.exists() or _sha256(path) != manifest.get("sha256"):
        raise ArchiveError("归档文件的 SHA-256 与清单不符：文件被改动过或不完整")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        count = sum(1 for _ in f)
    if count != manifest.get("count"):
        raise ArchiveError(f"归档文件有 {count} 条记录，清单写的是 {manifest.get('count')} 条")
    return Archive(path, manifest)


def _canonical(manifest: dict) -> str:
    return json.dumps(manifest, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
