"""Retention and archive: records older than a cut-off (at least 180 days back) are written to a signed archive
with a SHA-256 manifest; a changed archive fails verification; the archival is itself audited; on PostgreSQL the
printed SQL, run as the owner, prunes exactly the archived rows while the application still cannot delete."""

import datetime as dt
import gzip
import json

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from qinqing.audit import archive
from qinqing.audit.models import AuditRecord
from qinqing.audit.services import record

A = AuditRecord.Action
NOW = dt.datetime(2026, 12, 2, 10, tzinfo=dt.UTC)


@pytest.fixture
def history(db):
    for day in (dt.datetime(2026, 1, 10, 9, tzinfo=dt.UTC), dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)):
        with time_machine.travel(day, tick=False):
            record(A.LOGIN_FAILED, username=f"old-{day:%m}", outcome=AuditRecord.Outcome.FAILURE)
    with time_machine.travel(dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC), tick=False):
        record(A.LOGIN_FAILED, username="recent", outcome=AuditRecord.Outcome.FAILURE)
    with time_machine.travel(NOW, tick=True):
        yield


def test_older_records_are_archived_with_a_signed_manifest_and_the_archival_is_recorded(
    history, tmp_path, capsys
):
    out = tmp_path / "audit-2026-h1.jsonl.gz"
    call_command("archive_audit", "--before", "2026-04-01", "--out", str(out))
    with gzip.open(out, "rt", encoding="utf-8") as f:
        lines = [json.loads(line) for line in f]
    assert [r["username"] for r in lines] == ["old-01", "old-03"]
    assert lines[0]["action"] == A.LOGIN_FAILED and lines[0]["at"].startswith("2026-01-10")
    manifest = json.loads(archive.manifest_path(out).read_text())["manifest"]
    assert manifest["count"] == 2 and len(manifest["sha256"]) == 64
    printed = capsys.readouterr().out
    assert "已归档 2 条记录" in printed and "DISABLE TRIGGER audit_auditrecord_append_only" in printed
    done = AuditRecord.objects.get(action=A.AUDIT_ARCHIVED)
    assert done.detail["count"] == 2 and done.target == out.name
    assert AuditRecord.objects.filter(username__startswith="old-").count() == 2  # nothing deleted

    call_command("archive_audit", "--verify", str(out))
    assert "归档完好：2 条记录" in capsys.readouterr().out


def test_a_changed_archive_or_manifest_fails_verification(history, tmp_path):
    out = tmp_path / "a.jsonl.gz"
    archive.write(dt.date(2026, 4, 1), out)
    with gzip.open(out, "rt", encoding="utf-8") as f:
        text = f.read()
    with gzip.open(out, "wt", encoding="utf-8") as f:
        f.write(text.replace("old-01", "someone"))
    with pytest.raises(CommandError, match="SHA-256 与清单不符"):
        call_command("archive_audit", "--verify", str(out))

    out2 = tmp_path / "b.jsonl.gz"
    archive.write(dt.date(2026, 4, 1), out2)
    signed = json.loads(archive.manifest_path(out2).read_text())
    signed["manifest"]["count"] = 1
    archive.manifest_path(out2).write_text(json.dumps(signed))
    with pytest.raises(CommandError, match="签名不符"):
        call_command("archive_audit", "--verify", str(out2))


def test_records_younger_than_the_retention_period_are_never_archived(history, tmp_path, settings):
    with pytest.raises(CommandError, match="至少保留 180 天"):
        call_command("archive_audit", "--before", "2026-07-01", "--out", str(tmp_path / "x.jsonl.gz"))
    with pytest.raises(CommandError, match="没有审计记录"):
        call_command("archive_audit", "--before", "2025-01-01", "--out", str(tmp_path / "y.jsonl.gz"))
    out = tmp_path / "z.jsonl.gz"
    call_command("archive_audit", "--before", "2026-02-01", "--out", str(out))
    with pytest.raises(CommandError, match="已存在"):
        call_command("archive_audit", "--before", "2026-02-01", "--out", str(out))
    assert not (tmp_path / "x.jsonl.gz").exists() and not (tmp_path / "y.jsonl.gz").exists()


@pytest.mark.pg_only
def test_the_owner_prunes_the_archived_rows_with_the_printed_sql(history, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger and the owner's pruning are PostgreSQL's")
    written = archive.write(dt.date(2026, 4, 1), tmp_path / "a.jsonl.gz")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditrecord WHERE username LIKE 'old-%%'")
    # The test database's role owns the table, as the deployment's owner role does.
    with connection.cursor() as cur:
        cur.execute(
            "SET CONSTRAINTS ALL IMMEDIATE"
        )  # the test's own inserts leave deferred FK checks pending
        for statement in written.prune_sql.split(";\n"):
            if statement.strip() and statement.strip() not in ("BEGIN", "COMMIT;", "COMMIT"):
                cur.execute(statement.rstrip(";"))
    assert list(AuditRecord.objects.values_list("username", flat=True)) == ["recent"]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditrecord")  # the trigger is back on
