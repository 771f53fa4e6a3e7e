"""The peer that `make bench` measures appeal creation against: django-helpdesk's ticket creation through its REST
API (DRF token auth), served the same way as qinqing (gunicorn, same workers, PostgreSQL on this machine, DEBUG
off) and loaded by the same wrk client.

django-helpdesk lives in its own virtualenv outside git (var/bench-helpdesk-venv, made here on first use from
PyPI); the project around it is our few files in bench/helpdesk/ (settings, urls, wsgi, data set-up).

Environment: BENCH_HELPDESK_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/qinqing_bench_helpdesk;
dropped and recreated), BENCH_HELPDESK_PORT (default 8766), BENCH_HELPDESK_VENV.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from common import ROOT, recreate_database

HELPDESK_VERSION = "2.6.1"
REQUIREMENTS = [f"django-helpdesk=={HELPDESK_VERSION}", "djangorestframework", "gunicorn", "psycopg[binary]"]
VENV = Path(os.environ.get("BENCH_HELPDESK_VENV", ROOT / "var" / "bench-helpdesk-venv"))
PROJECT = ROOT / "bench" / "helpdesk"
DB_URL = os.environ.get(
    "BENCH_HELPDESK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qinqing_bench_helpdesk"
)
PORT = int(os.environ.get("BENCH_HELPDESK_PORT", "8766"))
BASE = f"http://127.0.0.1:{PORT}"
PATH = "/api/tickets/"


def _python() -> Path:
    return VENV / "bin" / "python"


def ensure_venv() -> dict[str, str]:
    """Make (once) the helpdesk virtualenv; return the versions that matter, for the report."""
    marker = VENV / f".installed-{HELPDESK_VERSION}"
    if not marker.exists():
        print(f"installing django-helpdesk {HELPDESK_VERSION} into {VENV} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(_python()), "-m", "pip", "install", "-q", *REQUIREMENTS], check=True)
        marker.touch()
    frozen = subprocess.run(
        [str(_python()), "-m", "pip", "freeze"], capture_output=True, text=True, check=True
    ).stdout
    versions = dict(line.split("==", 1) for line in frozen.splitlines() if "==" in line)
    return {k: versions.get(k, "?") for k in ("django-helpdesk", "Django", "djangorestframework", "gunicorn")}


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "HELPDESK_DATABASE_URL": DB_URL,
        "DJANGO_SETTINGS_MODULE": "settings",
        "PYTHONPATH": str(PROJECT),
    }


def prepare(n_tickets: int) -> dict:
    """A fresh database with the helpdesk schema, one queue, a staff user with a token and `n_tickets` tickets."""
    recreate_database(DB_URL)
    subprocess.run(
        [str(_python()), "-m", "django", "migrate", "--noinput", "-v0"], cwd=PROJECT, env=_env(), check=True
    )
    out = subprocess.run(
        [str(_python()), "setup_data.py", str(n_tickets)],
        cwd=PROJECT,
        env=_env(),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def start(gunicorn_args: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(_python()),
            "-m",
            "gunicorn",
            "wsgi",
            *gunicorn_args,
            "-b",
            f"127.0.0.1:{PORT}",
            "--pythonpath",
            str(PROJECT),
            "--log-level",
            "warning",
        ],
        cwd=PROJECT,
        env=_env(),
    )


def body(queue: int) -> str:
    """A ticket as close to the appeal the qinqing run posts as the peer's fields allow."""
    return json.dumps(
        {
            "queue": queue,
            "title": "压测诉求：用电增容",
            "description": "新生产线需要增容，请协调。",
            "priority": 3,
        },
        ensure_ascii=False,
    )
