"""Health endpoints and backup / restore."""

import hashlib
import json
import tarfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from qinqing.appeals.models import Appeal, AppealEvent, Attachment
from qinqing.appeals.services import add_attachments
from qinqing.ops import backup
from tests.worker import run_worker


def test_liveness_needs_nothing_and_readiness_needs_a_working_worker(db, django_capture_on_commit_callbacks):
    c = Client()
    assert c.get("/healthz/live").json() == {"status": "ok"}
    r = c.get("/healthz/ready")
    assert r.status_code == 503 and r.json()["checks"]["database"]["ok"]
    assert r.json()["checks"]["worker"]["ok"] is False  # nothing ever ran
    from qinqing.dashboard.tasks import refresh_rollup

    with django_capture_on_commit_callbacks(execute=True):
        refresh_rollup.enqueue()
    assert c.get("/healthz/ready").json()["checks"]["worker"]["queue_depth"] == 1
    run_worker()
    ready = c.get("/healthz/ready")
    assert ready.status_code == 200, ready.content
    assert ready.json()["checks"]["worker"]["queue_depth"] == 0


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.QINQING_MODEL_DIR = tmp_path / "models"
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "routing.joblib").write_bytes(b"model-bytes")
    return tmp_path


# Flushing the database inside a test's transaction is not possible on PostgreSQL (pending FK trigger events):
# these tests commit, as a real backup and restore do.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restores_every_row_and_file_into_an_empty_database(world, media, tmp_path):
    appeal = world.replied()
    add_attachments(
        appeal=appeal, by=world.handler_hr, files=[SimpleUploadedFile("现场.pdf", b"%PDF-1.4 evidence")]
    )
    before = backup.counts()
    assert before["appeals.appeal"] == 1 and before["appeals.appealevent"] >= 4
    archive = backup.create(tmp_path / "backups")
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["counts"] == before
    stored = next(n for n in manifest["files"] if n.startswith("media/"))
    digest = hashlib.sha256(b"%PDF-1.4 evidence").hexdigest()
    assert manifest["files"][stored] == digest

    # Refused while the database still holds data.
    with pytest.raises(CommandError, match="数据库不是空的"):
        call_command("restore", str(archive))

    call_command("flush", interactive=False, verbosity=0)
    import shutil

    shutil.rmtree(media / "media")
    shutil.rmtree(media / "models")
    assert not Appeal.objects.exists()
    call_command("restore", str(archive), verbosity=0)
    assert backup.counts() == before
    restored = Attachment.objects.get()
    assert hashlib.sha256(restored.file.read()).hexdigest() == digest
    assert (media / "models" / "routing.joblib").read_bytes() == b"model-bytes"
    assert AppealEvent.objects.filter(appeal__number=appeal.number).count() == before["appeals.appealevent"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_tampered_archive_is_refused(world, media, tmp_path):
    world.submit()
    archive = backup.create(tmp_path / "backups")
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(tampered, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "data.json":
                data = data.replace("招工难".encode(), "改过了".encode())
                member.size = len(data)
            import io

            dst.addfile(member, io.BytesIO(data))
    call_command("flush", interactive=False, verbosity=0)
    with pytest.raises(CommandError, match="已损坏或被改动：data.json"):
        call_command("restore", str(tampered))
    assert not Appeal.objects.exists()


def test_a_database_that_is_down_answers_503_with_retry_after(rf):
    from django.db import OperationalError
    from django.urls import get_resolver

    from qinqing.ops.health import server_error

    assert get_resolver().resolve_error_handler(500) is server_error
    try:
        raise OperationalError("connection failed: Connection refused")
    except OperationalError:
        api = server_error(rf.get("/api/appeals"))
        page = server_error(rf.get("/appeals/"))
    assert api.status_code == 503 and api["Retry-After"] == "5"
    assert json.loads(api.content)["message"].startswith("服务暂时不可用")
    assert page.status_code == 503 and "服务暂时不可用" in page.content.decode()
    try:
        raise ValueError("a bug")
    except ValueError:
        other = server_error(rf.get("/api/appeals"))
    assert other.status_code == 500 and not other.has_header("Retry-After")
