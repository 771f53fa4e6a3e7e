#!/usr/bin/env python
"""Fuzz the HTTP API with schemathesis against a live server, as every role that uses the API and as nobody.

    python tools/fuzz_api.py                      # SQLite in a temporary directory
    FUZZ_DATABASE_URL=postgres://postgres@127.0.0.1:5432/fuzz_api python tools/fuzz_api.py

What it does: a fresh database (a PostgreSQL database named in FUZZ_DATABASE_URL is dropped and created again;
never point it at one you keep), migrations, the demo data (seed_demo, seed_fieldwork), one API token per
persona, gunicorn on a free port with DEBUG off, then `st run` against /api/openapi.json for a bounded time per
role. The checks are schemathesis's own (see CHECKS): no 5xx, every status and body as the document declares
it, invalid input refused, operations refusing the anonymous. Any failure, or a traceback in the server's log,
makes the exit status non-zero. The figures of the last run are in docs/security.md (API 模糊测试).

Destructive operations are welcome on this throwaway database. Roles run one after another on the same data, the
enterprise last but one (its withdrawals and ratings change the appeals the others work on) and the anonymous run
last; tokens are not locked out by failed logins (django-axes guards the login forms only) and no operation
revokes them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

# Persona of the demo data for each role that uses the API (seed_demo / seed_fieldwork), in running order.
ROLES = [
    ("dispatcher", "diaodu"),
    ("handler", "renshe"),
    ("dept_head", "renshe_head"),
    ("leader", "lingdao"),
    ("officer", "fuwuguan"),
    ("supervisor", "jiandu"),
    ("enterprise", "qiye"),
    ("anonymous", None),
]

# Server errors, the document's statuses, content types, headers and bodies; invalid data refused and valid
# data not refused as invalid; auth not ignored; undeclared methods answered 405.
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "ignored_auth",
    "unsupported_method",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name in ("postgres", "template0", "template1"):
        sys.exit(f"FUZZ_DATABASE_URL must name a throwaway database, not {name!r}")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict, *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


# One token per persona, and the records each can reach, so generated requests name real appeals, meetings,
# departments… (with some probability: the rest are random, for the 404s and 422s).
PREPARE = """
import json
from qinqing.accounts.models import ApiToken, User
from qinqing.appeals.models import Category, ExtensionRequest
from qinqing.appeals.selectors import appeals_visible_to
from qinqing.enterprises.models import Enterprise
from qinqing.fieldwork.models import Clue, ContactPoint, Meeting, MeetingSeries, TaskForce
from qinqing.insights.models import CommonIssue
from qinqing.organisation.models import Department
from qinqing.supervision.models import SupervisionOrder

def pks(model):
    return list(model.objects.order_by("pk").values_list("pk", flat=True)[:20])

shared = {
    "meetings": pks(Meeting), "series": pks(MeetingSeries), "enterprises": pks(Enterprise),
    "points": pks(ContactPoint), "taskforces": pks(TaskForce), "issues": pks(CommonIssue),
    "orders": pks(SupervisionOrder), "extensions": pks(ExtensionRequest), "departments": pks(Department),
    "categories": pks(Category),
}
clues = list(Clue.objects.order_by("pk").values_list("number", flat=True)[:5])
out = {}
for name in %r:
    user = User.objects.get(username=name)
    numbers = list(appeals_visible_to(user).order_by("-pk").values_list("number", flat=True)[:20])
    out[name] = {"token": ApiToken.issue(user=user, name="fuzz")[1], "numbers": numbers + clues, **shared}
print(json.dumps(out))
"""

# Which parameter takes values from which list above.
BINDINGS = {
    "path.number": "numbers",
    "path.meeting_id": "meetings",
    "path.series_id": "series",
    "path.enterprise_id": "enterprises",
    "path.point_id": "points",
    "path.tf_id": "taskforces",
    "path.issue_id": "issues",
    "path.order_id": "orders",
    "path.extension_id": "extensions",
    "body.lead": "departments",
    "body.department": "departments",
    "body.department_id": "departments",
    "body.category_id": "categories",
    "body.enterprise_id": "enterprises",
    "body.related": "numbers",
}


def role_config(base: str, data: dict) -> str:
    """The checked-in settings plus this persona's records as schemathesis dictionaries."""
    lines = [base, ""]
    for name in sorted(set(BINDINGS.values())):
        if data.get(name):
            lines += [f"[dictionaries.{name}]", f"values = {json.dumps(data[name], ensure_ascii=False)}", ""]
    lines.append("[parameters]")
    for key, name in BINDINGS.items():
        if data.get(name):
            lines.append(f'"{key}" = {{ dictionary = "{name}", probability = 0.8 }}')
    return "\n".join(lines) + "\n"


def wait_for(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        if server.poll() is not None:
            sys.exit("the server stopped while starting (see its log above)")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 - our own local server
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    sys.exit(f"the server did not answer {url} within {seconds:.0f}s")


def warm_up(base: str, tokens: list[str]) -> None:
    """A few ordinary reads as each persona, so the first run's time is not spent on cold workers."""
    for token in tokens:
        for path in ("/api/me", "/api/appeals", "/api/supervision/notifications"):
            request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
            try:
                urllib.request.urlopen(request, timeout=60).close()  # noqa: S310 - our own local server
            except urllib.error.HTTPError:
                pass  # a role that may not read it: the request still warmed the worker


def lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def generated(output: str) -> int:
    """The number of test cases of one `st run`, from its summary ("Test cases: 1234 generated, …")."""
    found = re.search(r"(\d+) generated", output)
    return int(found.group(1)) if found else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seconds", type=int, default=int(os.environ.get("FUZZ_SECONDS", 25)), help="per role"
    )
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", 2026)))
    parser.add_argument(
        "--roles", default=os.environ.get("FUZZ_ROLES", ""), help="comma-separated; default all"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory (reports, server log)")
    args = parser.parse_args()
    roles = [r for r in ROLES if not args.roles or r[0] in args.roles.split(",")]

    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="qinqing-fuzz-"))
    database_url = os.environ.get("FUZZ_DATABASE_URL") or f"sqlite:///{work / 'fuzz.sqlite3'}"
    if database_url.startswith("postgres"):
        fresh_postgres(database_url)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "QINQING_ALLOW_DEMO_PASSWORDS": "1",
        "QINQING_VAR_DIR": str(work),
        "PYTHONPATH": str(ROOT / "src"),
        "DJANGO_SETTINGS_MODULE": "qinqing.settings",
    }
    print(f"== fuzz_api: database {urlsplit(database_url).scheme}, work directory {work}", flush=True)
    for step in (["migrate", "--noinput", "-v0"], ["seed_demo", "--appeals", "150"], ["seed_fieldwork"]):
        t0 = time.monotonic()
        manage(env, *step)
        print(f"   {step[0]}: {time.monotonic() - t0:.0f}s", flush=True)
    prepared = manage(env, "shell", "-v0", "-c", PREPARE % [u for _, u in roles if u])
    personas = json.loads(prepared.strip().splitlines()[-1])
    print(f"   {len(personas)} tokens issued; {time.monotonic() - started:.0f}s so far", flush=True)
    base_config = (ROOT / "tools" / "schemathesis.toml").read_text()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (work / "server.log").open("w")
    access = work / "access.log"
    server = subprocess.Popen(  # noqa: S603 - gunicorn of this virtualenv
        [str(BIN / "gunicorn"), "qinqing.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "2", "--threads", "4", "--timeout", "60", "--preload", "--error-logfile", "-"]
        + ["--access-logfile", str(access)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    results = {}
    try:
        wait_for(f"{base}/api/openapi.json", server)
        # The document once, from a file: a cold worker building it for every run could exceed st's timeout.
        document = work / "openapi.json"
        with urllib.request.urlopen(f"{base}/api/openapi.json", timeout=60) as r:  # noqa: S310 - local server
            document.write_bytes(r.read())
        warm_up(base, [p["token"] for p in personas.values()])
        for role, username in roles:
            report = work / f"report-{role}"
            config = work / f"schemathesis-{role}.toml"
            config.write_text(role_config(base_config, personas[username] if username else {}))
            command = [str(BIN / "st"), "--config-file", str(config), "run", str(document), "--url", base]
            command += ["--checks", ",".join(CHECKS)]
            # One worker: with two threads, hypothesis's lambda descriptions (ast.parse) hit CPython 3.11's
            # "AST constructor recursion depth mismatch" now and then, an error of the tool, not of the API.
            command += ["--max-time", str(args.seconds), "--seed", str(args.seed), "--workers", "1"]
            command += ["--report", "junit", "--report-dir", str(report), "--no-color"]
            command += ["--request-timeout", "30", "--max-failures", "50"]
            if username:
                command += ["--header", f"Authorization: Bearer {personas[username]['token']}"]
            print(f"== {role} ({username or '未登录'}): st run, {args.seconds}s", flush=True)
            t0, before = time.monotonic(), lines(access)
            done = subprocess.run(command, cwd=work, capture_output=True, text=True)  # noqa: S603 - st of this venv
            figures = {
                "cases": generated(done.stdout),
                "requests": lines(access) - before,
                "exit": done.returncode,
                "seconds": round(time.monotonic() - t0),
            }
            results[role] = figures
            print(
                f"   {figures['cases']} test cases, {figures['requests']} requests, exit {done.returncode} "
                f"({'passed' if done.returncode == 0 else 'FAILED'}), {figures['seconds']}s",
                flush=True,
            )
            if done.returncode != 0:
                print(done.stdout[-20000:], done.stderr[-5000:], sep="\n", flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()

    server_log = (work / "server.log").read_text()
    tracebacks = server_log.count("Traceback (most recent call last)")
    if tracebacks:
        print(f"== the server logged {tracebacks} tracebacks:\n{server_log[-20000:]}", flush=True)
    failed = [r for r, f in results.items() if f["exit"] != 0]
    total = {k: sum(f[k] for f in results.values()) for k in ("cases", "requests")}
    operations = sum(len(methods) for methods in json.loads(document.read_text())["paths"].values())
    print(
        f"== fuzz_api: {operations} operations, {len(results)} runs, {total['cases']} test cases, "
        f"{total['requests']} requests, "
        f"failed: {', '.join(failed) or 'none'}, server tracebacks: {tracebacks}, "
        f"{time.monotonic() - started:.0f}s in all",
        flush=True,
    )
    if args.keep or failed or tracebacks:
        print(f"   reports and server log kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed or tracebacks else 0


if __name__ == "__main__":
    sys.exit(main())
