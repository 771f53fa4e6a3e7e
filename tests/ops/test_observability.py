"""Metrics, structured logs and error reporting (docs/deploy.md)."""

import gzip
import json
import logging
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import sentry_sdk
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from qinqing.dashboard.tasks import refresh_rollup
from qinqing.supervision.models import Notification
from qinqing.supervision.notify import deliver
from qinqing.supervision.tasks import sweep_deadlines
from tests.worker import run_periodic, run_worker

ROOT = Path(__file__).resolve().parents[2]


def samples(text: str) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            found[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return found


def scrape(client=None, **extra) -> dict:
    r = (client or Client()).get("/metrics", **extra)
    assert r.status_code == 200, r.status_code
    assert r["Content-Type"].startswith("text/plain")
    return samples(r.content.decode())


def test_metrics_count_requests_by_view_and_read_the_queue(db, django_capture_on_commit_callbacks):
    c = Client()
    c.get("/healthz/live")
    before = scrape(c)
    key = ("django_http_responses_total_by_status_view_method_total", ())
    live = {
        k: v
        for k, v in before.items()
        if k[0] == "django_http_responses_total_by_status_view_method_total"
        and dict(k[1]).get("view") == "healthz_live"
    }
    assert live and all(dict(k[1])["status"] == "200" for k in live), key
    c.get("/healthz/live")
    after = scrape(c)
    (label,) = live
    assert after[label] == before[label] + 1
    assert any(
        n == "django_http_requests_latency_seconds_by_view_method_count"
        and dict(lb).get("view") == "healthz_live"
        for n, lb in after
    )
    # Nothing ran yet: the heartbeat and the sweep have never happened.
    assert after[("qinqing_queue_ready_jobs", ())] == 0
    assert after[("qinqing_worker_last_finished_age_seconds", ())] == float("inf")
    assert after[("qinqing_sweep_lag_seconds", ())] == float("inf")
    assert after[("qinqing_database_up", ())] == 1

    with django_capture_on_commit_callbacks(execute=True):
        refresh_rollup.enqueue()
    assert scrape(c)[("qinqing_queue_ready_jobs", ())] == 1
    run_worker()
    run_periodic(sweep_deadlines)
    now = scrape(c)
    assert now[("qinqing_queue_ready_jobs", ())] == 0
    assert now[("qinqing_queue_oldest_ready_age_seconds", ())] == 0
    assert 0 <= now[("qinqing_sweep_lag_seconds", ())] < 60
    assert 0 <= now[("qinqing_worker_last_finished_age_seconds", ())] < 60


def test_a_delivery_that_gave_up_counts_as_failed(world, settings):
    world.dispatcher.email = "diaodu@example.cn"
    world.dispatcher.save()
    note = Notification.objects.create(recipient=world.dispatcher, kind="announcement", title="通知")
    settings.EMAIL_BACKEND = "qinqing.no_such.Backend"  # every send fails
    deliver.enqueue([[note.pk, "email"]], settings.QINQING_DELIVERY_ATTEMPTS)  # the last attempt
    run_worker()
    found = scrape()
    assert found[("qinqing_notification_deliveries_failed", ())] == 1
    assert found[("qinqing_jobs_failed", (("task", "qinqing.supervision.notify.deliver"),))] == 1


def test_metrics_are_not_public(db, settings):
    c = Client()
    assert c.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 404
    # Through nginx on the same machine: the proxy's loopback address is not the client's.
    assert c.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404
    settings.QINQING_PROXY_COUNT = 1
    assert c.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404
    assert c.get("/metrics", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 200
    # A spoofed first hop does not help: the entry the proxy added is the one judged.
    assert c.get("/metrics", HTTP_X_FORWARDED_FOR="127.0.0.1, 203.0.113.9").status_code == 404

    settings.QINQING_METRICS_ALLOW = ["10.0.0.0/8"]
    assert c.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert c.get("/metrics").status_code == 404  # loopback is no longer listed

    assert c.get("/metrics", HTTP_AUTHORIZATION="Bearer anything").status_code == 404  # no token configured
    settings.QINQING_METRICS_TOKEN = "s3cret-scrape-token"
    assert c.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    ok = c.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token")
    assert ok.status_code == 200 and b"qinqing_queue_ready_jobs" in ok.content


def test_every_request_is_logged_once_with_its_id_route_status_and_user(world, caplog):
    c = Client()
    c.force_login(world.dispatcher)
    number = world.submit().number
    with caplog.at_level(logging.INFO, logger="qinqing.request"):
        r = c.get(f"/api/appeals/{number}", HTTP_X_REQUEST_ID="req-42.a")
        anon = Client().get("/healthz/live", HTTP_X_REQUEST_ID="bad id with spaces")
    assert r.status_code == 200 and r["X-Request-ID"] == "req-42.a"
    generated = anon["X-Request-ID"]
    assert generated != "bad id with spaces" and len(generated) == 32
    records = [rec for rec in caplog.records if rec.name == "qinqing.request"]
    assert len(records) == 2
    first, second = records
    assert first.request_id == "req-42.a"
    assert first.route == "/api/appeals/<number>" and first.status == 200 and first.method == "GET"
    assert first.user_id == world.dispatcher.pk and first.duration_ms >= 0
    assert number not in first.getMessage()  # the route is logged, not the appeal's number
    assert second.request_id == generated and second.user_id is None and second.route == "/healthz/live"


def test_a_bearer_token_request_logs_its_user(world, caplog):
    token = world.token(world.ent_user_a)
    with caplog.at_level(logging.INFO, logger="qinqing.request"):
        Client().get("/api/appeals", HTTP_AUTHORIZATION=f"Bearer {token}")
    (rec,) = [r for r in caplog.records if r.name == "qinqing.request"]
    assert rec.user_id == world.ent_user_a.pk and rec.status == 200


def _run(code: str, **env) -> subprocess.CompletedProcess:
    full = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "DJANGO_SETTINGS_MODULE": "qinqing.settings",
        **env,
    }
    return subprocess.run(  # noqa: S603 - our own interpreter running our own test code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_json_logs_are_one_object_a_line_with_the_request_id():
    code = (
        "import django, logging; django.setup()\n"
        "from django.test import Client\n"
        "Client().get('/healthz/live', HTTP_X_REQUEST_ID='abc-123')\n"
        "logging.getLogger('qinqing.appeals').warning('联系电话已隐藏')\n"
    )
    done = _run(code, QINQING_LOG_FORMAT="json", QINQING_REQUEST_LOG="")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]
    request = next(x for x in lines if x["logger"] == "qinqing.request")
    assert request["request_id"] == "abc-123" and request["route"] == "/healthz/live"
    assert (
        request["status"] == 200
        and request["level"] == "INFO"
        and "duration_ms" in request
        and "time" in request
    )
    other = next(x for x in lines if x["logger"] == "qinqing.appeals")
    assert other["message"] == "联系电话已隐藏" and other["request_id"] is None


def test_plain_logs_by_default_and_no_request_lines():
    code = "import django; django.setup()\nfrom django.test import Client\nClient().get('/healthz/live')\n"
    done = _run(code, QINQING_LOG_FORMAT="", QINQING_REQUEST_LOG="")
    assert done.returncode == 0 and done.stderr == "", done.stderr


def test_no_error_reporting_without_a_dsn(settings):
    assert settings.QINQING_SENTRY_DSN == ""
    assert not sentry_sdk.get_client().is_active()


class _Ingest(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        _Ingest.received.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def ingest():
    """A stand-in Sentry server on loopback: sentry-sdk's own HTTP transport sends it the real envelopes."""
    _Ingest.received = []
    server = HTTPServer(("127.0.0.1", 0), _Ingest)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def test_with_a_dsn_errors_are_reported_without_personal_data(ingest):
    dsn = f"http://publickey@127.0.0.1:{ingest.server_port}/7"
    code = (
        "import django, json, sentry_sdk; django.setup()\n"
        "opts = sentry_sdk.get_client().options\n"
        "print(json.dumps({'dsn': opts['dsn'], 'pii': opts['send_default_pii'], 'env': opts['environment'],"
        " 'traces': opts['traces_sample_rate']}))\n"
        "def submit(contact_mobile):\n"
        "    note = '请回电 138 1234 5678 或 +86 13912345678'\n"
        "    raise ValueError('企业联系人 13812345678 提交失败')\n"
        "try:\n"
        "    submit('13700001111')\n"
        "except ValueError:\n"
        "    sentry_sdk.capture_exception()\n"
        "sentry_sdk.flush(timeout=10)\n"
    )
    done = _run(code, QINQING_SENTRY_DSN=dsn, QINQING_SENTRY_ENVIRONMENT="county-test")
    assert done.returncode == 0, done.stderr
    opts = json.loads(done.stdout.splitlines()[0])
    assert opts == {"dsn": dsn, "pii": False, "env": "county-test", "traces": 0.0}
    assert _Ingest.received, "nothing reached the ingest server"
    # An envelope is JSON lines (header, item header, item): read back as text, escapes undone.
    items = [json.loads(line) for body in _Ingest.received for line in body.decode().splitlines() if line]
    envelope = json.dumps(items, ensure_ascii=False)
    assert "提交失败" in envelope and "ValueError" in envelope
    for mobile in ("13812345678", "138 1234 5678", "13912345678", "13700001111"):
        assert mobile not in envelope, mobile
    assert "1**********" in envelope


def test_under_gunicorn_the_workers_counters_are_summed_and_a_dead_database_still_scrapes(tmp_path):
    """prometheus-client's multiprocess mode, as deploy/systemd/qinqing-web.service sets it: two processes count
    requests into files, one scrape adds them up. The database here is an unmigrated file: the queue gauges are
    missing, qinqing_database_up says so, and the request metrics are still there."""
    code = "import django; django.setup()\nfrom django.test import Client\nClient().get('/healthz/live')\n"
    env = {
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'none.sqlite3'}",
    }
    for _ in range(2):
        done = _run(code, **env)
        assert done.returncode == 0, done.stderr
    scrape_code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "print(Client().get('/metrics').content.decode())\n"
    )
    done = _run(scrape_code, **env)
    assert done.returncode == 0, done.stderr
    found = samples(done.stdout)
    live = [
        v
        for (name, labels), v in found.items()
        if name == "django_http_responses_total_by_status_view_method_total"
        and dict(labels).get("view") == "healthz_live"
    ]
    assert live == [2.0]  # one request in each of the two earlier processes
    assert found[("qinqing_database_up", ())] == 0
    assert ("qinqing_queue_ready_jobs", ()) not in found
