"""One dated archive holds everything a county needs to rebuild qinqing on a new server: the data of every app
(Django's own serialisation, so a PostgreSQL backup restores on PostgreSQL or SQLite alike), the attachments, the
trained routing models and a manifest with the row count of every model and the SHA-256 of every file.

``restore`` refuses an archive whose files do not match the manifest, and a database or media folder that is not
empty; after loading it compares every count and hash again. Left out on purpose: sessions, login-attempt
counters (django-axes) and the job queue's results, which are transient (a pending job is re-created by the
scheduler)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shutil
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import management
from django.db import connection
from django.utils import timezone

FORMAT = 1
EXCLUDED_APPS = {"contenttypes", "sessions", "axes", "django_tasks_db", "admin"}
EXCLUDED_MODELS = {"auth.permission"}


def _models():
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in EXCLUDED_APPS or label in EXCLUDED_MODELS or not model._meta.managed:
            continue
        if model._meta.proxy:
            continue
        yield model


def counts() -> dict[str, int]:
    return {m._meta.label_lower: m._base_manager.count() for m in _models()}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _files(root: Path, prefix: str) -> dict[str, Path]:
    if not root.exists():
        return {}
    return {f"{prefix}/{p.relative_to(root).as_posix()}": p for p in sorted(root.rglob("*")) if p.is_file()}


def create(directory: Path, *, now: dt.datetime | None = None) -> Path:
    now = timezone.localtime(now or timezone.now())
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"qinqing-{now:%Y%m%d-%H%M%S}.tar.gz"
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data.json"
        labels = sorted({m._meta.label for m in _models()})
        with data.open("w", encoding="utf-8") as out:
            management.call_command(
                "dumpdata", *labels, natural_foreign=True, format="json", indent=None, stdout=out
            )
        members = {
            "data.json": data,
            **_files(Path(settings.MEDIA_ROOT), "media"),
            **_files(Path(settings.QINQING_MODEL_DIR), "models"),
        }
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "database": connection.vendor,
            "counts": counts(),
            "files": {name: _sha256(path) for name, path in members.items()},
        }
        with tarfile.open(target, "w:gz") as tar:
            raw = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(raw)
            info.mtime = int(now.timestamp())
            tar.addfile(info, io.BytesIO(raw))
            for name, path in members.items():
                tar.add(path, arcname=name)
    return target


class RestoreError(Exception):
    pass


def _migration_seeded() -> set[str]:
    """Models whose rows data migrations create (reference data every installation starts with)."""
    return {"appeals.category", "appeals.timelimit", "core.calendaroverride", "supervision.evaluationweights"}


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = tar.getmembers()
    for m in members:
        if not m.isfile() or m.name.startswith("/") or ".." in Path(m.name).parts:
            raise RestoreError(f"归档中有不安全的条目：{m.name}")
    return members


def restore(archive: Path) -> dict:
    if not archive.is_file():
        raise RestoreError(f"找不到备份文件：{archive}")
    # A freshly migrated database holds the reference rows its migrations seed (categories, time limits), which
    # the archive carries too; anything beyond those (an account, an enterprise, an appeal) means it is in use.
    seeded = _migration_seeded()
    in_use = {label: n for label, n in counts().items() if n and label not in seeded}
    if in_use:
        raise RestoreError("数据库不是空的，只能恢复到新建的空数据库：" + "、".join(sorted(in_use)[:5]))
    media, models_dir = Path(settings.MEDIA_ROOT), Path(settings.QINQING_MODEL_DIR)
    if media.exists() and any(p.is_file() for p in media.rglob("*")):
        raise RestoreError(f"附件目录不是空的：{media}")
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive, "r:gz") as tar:
        members = _safe_members(tar)
        tar.extractall(tmp, members=members, filter="data")
        root = Path(tmp)
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT:
            raise RestoreError("备份格式版本不受支持")
        for name, digest in manifest["files"].items():
            path = root / name
            if not path.is_file() or _sha256(path) != digest:
                raise RestoreError(f"备份文件已损坏或被改动：{name}")
        management.call_command(
            "flush", interactive=False, verbosity=0
        )  # the migration seeds: the archive has them
        management.call_command("loaddata", str(root / "data.json"), verbosity=0)
        for prefix, dest in (("media", media), ("models", models_dir)):
            source = root / prefix
            if source.exists():
                shutil.copytree(source, dest, dirs_exist_ok=True)
    found = counts()
    wrong = {k: (v, found.get(k)) for k, v in manifest["counts"].items() if found.get(k) != v}
    if wrong:
        raise RestoreError(f"恢复后的记录数与备份不符：{wrong}")
    for name, digest in manifest["files"].items():
        if name == "data.json":
            continue
        prefix, rest = name.split("/", 1)
        path = (media if prefix == "media" else models_dir) / rest
        if _sha256(path) != digest:
            raise RestoreError(f"恢复后的文件与备份不符：{name}")
    return manifest
