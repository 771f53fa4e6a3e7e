"""`make bench-reliability`: load and faults together, then the books are checked.

For ``--minutes`` (default 10), 50 simulated users work through the API with bearer tokens against gunicorn on
PostgreSQL: enterprises submit appeals and rate the replied ones, department handlers sign and reply, dispatchers
assign. Meanwhile one of the two ``db_worker`` processes is killed (SIGKILL) every minute and started again, and
PostgreSQL itself is restarted once (``pg_ctl restart -m fast``) in the middle of the run. Every write carries an
``Idempotency-Key``; a client whose request failed (connection refused or reset, a 5xx, a timeout) sends the very
same request again, as a careful integration would, until it gets an answer or gives up after two minutes.

Afterwards, from the database:

* every appeal a client was told exists (201, or 200 for a replay of its key) exists exactly once, under the
  number the client was told, and no appeal exists that no client asked for twice (one per idempotency key);
* every appeal's state is the to-state of its last event;
* no event is doubled: one ``submitted`` event per appeal, and no step (assigned, signed, replied, rated) twice,
  since the simulation never returns or reopens; no event is lost: every step a client was answered 200 for is
  in the appeal's events, and every action receipt has its event;
* the job queue: nothing stuck as "running" by a killed worker once the run is over.

The run uses its own PostgreSQL cluster (``initdb`` into a temporary directory, its own port; as the ``postgres``
OS user when run as root), so restarting it disturbs nobody else on the machine. Writes BENCHMARKS.md
(section ``reliability``) unless ``--no-write``.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import http.client
import json
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import cpu_name, write_section  # noqa: E402

HTTP_PORT = int(os.environ.get("BENCH_PORT", "8766"))
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "55432"))
GUNICORN_WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "4"))
N_ENTERPRISES = 32
N_HANDLERS = 16
N_DISPATCHERS = 2
THINK = (0.5, 2.0)  # seconds between one user's actions
RETRY_FOR = 120.0  # seconds a client keeps retrying one request
LOAD: list[float] = []  # the machine's load average when the users start


# ---------------------------------------------------------------- our own PostgreSQL


class Cluster:
    """A throw-away PostgreSQL cluster on its own port, trust authentication on loopback only."""

    def __init__(self) -> None:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        if not bins:
            sys.exit("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin")
        self.bin = bins[-1].parent
        self.dir = Path(tempfile.mkdtemp(prefix="qinqing-reliability-pg-"))
        self.data = self.dir / "data"
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self.url = f"postgres://postgres@127.0.0.1:{PG_PORT}/qinqing_reliability"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True)

    def version(self) -> str:
        return self._run("postgres", "--version").stdout.strip()

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        opts = (
            f"-p {PG_PORT} -c listen_addresses=127.0.0.1 -k {self.dir} -c max_connections=120 "
            "-c shared_buffers=256MB -c fsync=on"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.dir / "log"), "-w", "start")
        import psycopg

        with psycopg.connect(f"postgres://postgres@127.0.0.1:{PG_PORT}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE qinqing_reliability")

    def restart(self) -> float:
        t = time.monotonic()
        # -l again: without it the new server would write to (and hold open) this process's pipe.
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-l", str(self.dir / "log"), "-w", "restart")
        return time.monotonic() - t

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


# ---------------------------------------------------------------- processes, supervised like systemd would


class Service:
    """One long-running process, started again whenever it exits (systemd's Restart=always)."""

    def __init__(self, name: str, cmd: list[str], env: dict, log: Path) -> None:
        self.name, self.cmd, self.env, self.log = name, cmd, env, log
        self.proc: subprocess.Popen | None = None
        self.exits: list[int] = []
        self.kills = 0
        self._stop = False

    def start(self) -> None:
        out = self.log.open("ab")
        self.proc = subprocess.Popen(
            self.cmd, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.kills += 1
            os.kill(self.proc.pid, signal.SIGKILL)

    def watch(self) -> None:
        while not self._stop:
            if self.proc is not None and self.proc.poll() is not None:
                self.exits.append(self.proc.returncode)
                if not self._stop:
                    time.sleep(1)  # RestartSec=1
                    self.start()
            time.sleep(0.2)

    def stop(self) -> None:
        self._stop = True
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=20)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)


# ---------------------------------------------------------------- the simulated users


@dataclass
class Book:
    """What the clients were told, to compare with the database afterwards."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    created: dict[str, str] = field(default_factory=dict)  # idempotency key -> number told
    steps: list[tuple[str, str]] = field(default_factory=list)  # (number, action) answered 200
    requests: collections.Counter = field(default_factory=collections.Counter)  # phase -> requests
    failures: collections.Counter = field(default_factory=collections.Counter)  # (phase, what) -> count
    conflicts: collections.Counter = field(default_factory=collections.Counter)
    latencies: list[float] = field(default_factory=list)
    retried_ok: int = 0
    gave_up: int = 0
    phase: str = "normal"


class Client:
    def __init__(self, token: str, book: Book) -> None:
        self.token, self.book = token, book
        self.conn: http.client.HTTPConnection | None = None

    def _once(
        self, method: str, path: str, body: bytes | None, headers: dict
    ) -> tuple[int, dict | list | None]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=30)
        self.conn.request(method, path, body=body, headers=headers)
        resp = self.conn.getresponse()
        raw = resp.read()
        if resp.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        try:
            return resp.status, json.loads(raw) if raw else None
        except ValueError:
            return resp.status, None

    def call(self, method: str, path: str, payload=None, *, key: str | None = None):
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        if key:
            headers["Idempotency-Key"] = key
        body = json.dumps(payload).encode() if payload is not None else None
        deadline = time.monotonic() + RETRY_FOR
        attempt = 0
        while True:
            attempt += 1
            phase = self.book.phase
            t = time.monotonic()
            try:
                status, data = self._once(method, path, body, headers)
            except (OSError, http.client.HTTPException) as exc:
                what = type(exc).__name__
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                status, data = None, None
            else:
                what = f"HTTP {status}" if status >= 500 else ""
            phase = self.book.phase if what else phase  # a failure counts where it happened
            with self.book.lock:
                self.book.requests[phase] += 1
                if what:
                    self.book.failures[(phase, what)] += 1
                else:
                    self.book.latencies.append(time.monotonic() - t)
            if not what:
                if attempt > 1:
                    with self.book.lock:
                        self.book.retried_ok += 1
                return status, data
            if method == "GET" and attempt > 3:
                return None, None  # a read can simply be skipped
            if time.monotonic() > deadline:
                with self.book.lock:
                    self.book.gave_up += 1
                return None, None
            time.sleep(min(0.25 * attempt, 2.0))


def enterprise_user(client: Client, book: Book, stop: threading.Event, categories: list[str], rng) -> None:
    while not stop.is_set():
        time.sleep(rng.uniform(*THINK))
        if rng.random() < 0.35:
            key = uuid.uuid4().hex
            payload = {
                "title": f"压测诉求{rng.randrange(10**6)}",
                "content": "企业用工缺口较大，希望协调招聘会。",
                "category": rng.choice(categories),
                "contact_name": "王经理",
                "contact_mobile": "13800000000",
            }
            status, data = client.call("POST", "/api/appeals", payload, key=key)
            if status in (200, 201) and isinstance(data, dict):
                with book.lock:
                    book.created[key] = data["number"]
        else:
            status, data = client.call("GET", "/api/appeals?status=replied&page_size=5")
            if status == 200 and isinstance(data, dict) and data["items"]:
                number = rng.choice(data["items"])["number"]
                act(client, book, number, "rate", {"satisfaction": "satisfied", "resolved": True})


def act(client: Client, book: Book, number: str, action: str, payload=None) -> None:
    status, _ = client.call("POST", f"/api/appeals/{number}/{action}", payload, key=uuid.uuid4().hex)
    if status == 200:
        with book.lock:
            book.steps.append((number, action))
    elif status == 409:
        with book.lock:
            book.conflicts[action] += 1  # another user took the step first (two dispatchers, say)


def handler_user(client: Client, book: Book, stop: threading.Event, rng) -> None:
    while not stop.is_set():
        time.sleep(rng.uniform(*THINK))
        for state, action, payload in (
            ("assigned", "sign", None),
            (
                "in_progress",
                "reply",
                {"measures": "已对接人社部门组织专场招聘会。", "result": "已解决用工缺口。"},
            ),
        ):
            status, data = client.call("GET", f"/api/appeals?status={state}&page_size=5")
            if status == 200 and isinstance(data, dict) and data["items"]:
                act(client, book, rng.choice(data["items"])["number"], action, payload)


def dispatcher_user(client: Client, book: Book, stop: threading.Event, departments: list[int], rng) -> None:
    while not stop.is_set():
        status, data = client.call("GET", "/api/appeals?status=submitted&page_size=20")
        items = data["items"] if status == 200 and isinstance(data, dict) else []
        if not items:
            time.sleep(rng.uniform(*THINK))
            continue
        for row in rng.sample(items, min(5, len(items))):
            act(client, book, row["number"], "assign", {"lead": rng.choice(departments), "handle_days": 5})
            time.sleep(rng.uniform(0.05, 0.3))


# ---------------------------------------------------------------- set-up and checks (Django in this process)


def django_on(url: str, env: dict) -> None:
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "qinqing.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def seed() -> dict:
    from stdnum.cn import uscc

    from qinqing.accounts.models import ApiToken, Role, User
    from qinqing.appeals.models import Category
    from qinqing.enterprises.models import Enterprise
    from qinqing.organisation.models import Department, Region

    city = Region.objects.create(code="339900", name="青川市", level="city")
    district = Region.objects.create(code="339901", name="第1区", level="district", parent=city)
    office = Department.objects.create(name="市营商办", region=city, kind="office")
    depts = [Department.objects.create(name=f"职能部门{i}", region=city) for i in range(1, N_HANDLERS + 1)]
    tokens: dict[str, list] = {"enterprise": [], "handler": [], "dispatcher": []}
    for i in range(N_ENTERPRISES):
        body = "91339900" + f"{i:09d}"
        ent = Enterprise.objects.create(
            uscc=body + uscc.calc_check_digit(body),
            name=f"企业{i}有限公司",
            industry="C",
            scale="small",
            region=district,
        )
        u = User.objects.create_user(username=f"ent{i}", password=None, role=Role.ENTERPRISE, enterprise=ent)
        tokens["enterprise"].append(ApiToken.issue(user=u, name="bench")[1])
    for i, d in enumerate(depts):
        u = User.objects.create_user(username=f"handler{i}", password=None, role=Role.HANDLER, department=d)
        tokens["handler"].append(ApiToken.issue(user=u, name="bench")[1])
    u = User.objects.create_user(
        username="diaodu", password=None, role=Role.DISPATCHER, region=city, department=office
    )
    for _ in range(N_DISPATCHERS):  # one dispatcher account, signed in from two desks
        tokens["dispatcher"].append(ApiToken.issue(user=u, name="bench")[1])
    return {
        "tokens": tokens,
        "departments": [d.pk for d in depts],
        "categories": list(Category.objects.filter(active=True).values_list("code", flat=True)),
    }


def check(book: Book) -> dict:
    from django.db import connection
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from qinqing.appeals.models import ActionReceipt, Appeal, AppealEvent

    connection.close()  # the connection from before the restart is gone
    found: dict = {}
    by_key = {
        k: list(v)
        for k, v in _group(
            Appeal.objects.exclude(idempotency_key=None).values_list("idempotency_key", "number")
        )
    }
    told_missing = [k for k, n in book.created.items() if by_key.get(k) != [n]]
    found["appeals told created"] = len(book.created)
    found["appeals in the database"] = Appeal.objects.count()
    found["told but missing or different"] = len(told_missing)
    found["idempotency keys with more than one appeal"] = sum(1 for v in by_key.values() if len(v) > 1)
    found["numbers held twice"] = (
        Appeal.objects.values("number").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    found["appeals no client was told of"] = len(set(by_key) - set(book.created))

    mismatched = 0
    last: dict[int, str] = {}
    for appeal_id, to_status in AppealEvent.objects.order_by("appeal_id", "created_at", "id").values_list(
        "appeal_id", "to_status"
    ):
        last[appeal_id] = to_status
    for pk, status in Appeal.objects.values_list("pk", "status"):
        if last.get(pk) != status:
            mismatched += 1
    found["state differs from last event"] = mismatched

    kinds = collections.Counter(
        (a, k)
        for a, k in AppealEvent.objects.filter(
            kind__in=["submitted", "assigned", "signed", "replied", "rated"]
        ).values_list("appeal__number", "kind")
    )
    found["doubled events"] = sum(1 for n in kinds.values() if n > 1)
    found["appeals without their submitted event"] = Appeal.objects.exclude(events__kind="submitted").count()
    kind_of = {"assign": "assigned", "sign": "signed", "reply": "replied", "rate": "rated"}
    found["steps answered 200"] = len(book.steps)
    found["answered steps without their event"] = sum(
        1 for number, action in book.steps if (number, kind_of[action]) not in kinds
    )
    receipts = ActionReceipt.objects.values_list("appeal__number", "action")
    found["receipts without their event"] = sum(1 for n, a in receipts if (n, kind_of.get(a, a)) not in kinds)
    found["jobs still running (killed worker)"] = DBTaskResult.objects.running().count()
    found["jobs failed"] = DBTaskResult.objects.failed().count()
    found["jobs succeeded"] = DBTaskResult.objects.successful().count()
    found["jobs ready"] = DBTaskResult.objects.ready().count()
    found["states"] = dict(Appeal.objects.values_list("status").annotate(n=Count("id")).order_by())
    found["events"] = AppealEvent.objects.count()
    return found


def _group(pairs):
    out = collections.defaultdict(list)
    for k, v in pairs:
        out[k].append(v)
    return out.items()


# ---------------------------------------------------------------- the run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--no-write", action="store_true", help="do not write BENCHMARKS.md")
    args = parser.parse_args()
    seconds = args.minutes * 60

    cluster = Cluster()
    print(f"PostgreSQL cluster in {cluster.dir} on port {PG_PORT}", flush=True)
    cluster.start()
    logs = Path(tempfile.mkdtemp(prefix="qinqing-reliability-logs-"))
    env = {
        **os.environ,
        "DATABASE_URL": cluster.url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-not-for-production-use-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "DB_CONN_MAX_AGE": "600",
        "QINQING_WORKER_STALE_MINUTES": "2",
    }
    services: list[Service] = []
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        django_on(cluster.url, env)
        world = seed()
        from django.db import connection

        connection.close()
        py = sys.executable
        gunicorn = [
            py, "-m", "gunicorn", "qinqing.wsgi:application", "-b", f"127.0.0.1:{HTTP_PORT}",
            "-w", str(GUNICORN_WORKERS), "--timeout", "60", "--graceful-timeout", "10", "--chdir", str(ROOT / "src"),
        ]  # fmt: skip
        services.append(Service("gunicorn", gunicorn, env, logs / "gunicorn.log"))
        workers = [
            Service(
                f"db_worker{i}",
                [py, "manage.py", "db_worker", "--no-reload", "--queue-name=*", "--interval", "0.5"],
                env,
                logs / f"worker{i}.log",
            )  # fmt: skip
            for i in (1, 2)
        ]
        services += workers
        services.append(Service("scheduler", [py, "manage.py", "run_scheduler"], env, logs / "scheduler.log"))
        for s in services:
            s.start()
            threading.Thread(target=s.watch, daemon=True).start()
        _wait_http()
        subprocess.run([py, "manage.py", "run_scheduler", "--once"], cwd=ROOT, env=env, check=True)

        book = Book()
        stop = threading.Event()
        rng = random.Random(14)
        threads = []
        for tok in world["tokens"]["enterprise"]:
            c = Client(tok, book)
            r = random.Random(rng.random())
            threads.append(
                threading.Thread(target=enterprise_user, args=(c, book, stop, world["categories"], r))
            )
        for tok in world["tokens"]["handler"]:
            r = random.Random(rng.random())
            threads.append(threading.Thread(target=handler_user, args=(Client(tok, book), book, stop, r)))
        for tok in world["tokens"]["dispatcher"]:
            r = random.Random(rng.random())
            args_ = (Client(tok, book), book, stop, world["departments"], r)
            threads.append(threading.Thread(target=dispatcher_user, args=args_))
        print(f"{len(threads)} users for {args.minutes:g} minutes; logs in {logs}", flush=True)
        LOAD.extend(os.getloadavg())
        started = time.monotonic()
        wall_start = dt.datetime.now(dt.UTC)
        for t in threads:
            t.start()

        restart_at = seconds / 2 + 15  # between two worker kills
        restarted = None
        next_kill, victim = 60.0, 0
        while (elapsed := time.monotonic() - started) < seconds:
            if elapsed >= next_kill:
                workers[victim % 2].kill()
                print(f"{elapsed:6.0f}s killed {workers[victim % 2].name}", flush=True)
                victim += 1
                next_kill += 60
            if restarted is None and elapsed >= restart_at:
                book.phase = "db restart"
                took = cluster.restart()
                print(f"{elapsed:6.0f}s PostgreSQL restarted in {took:.1f}s", flush=True)
                restarted = (elapsed, took)
                # Count the restart window as lasting until requests flow again, plus 10 s of after-effects.
                threading.Timer(10, lambda: setattr(book, "phase", "after restart")).start()
            time.sleep(0.2)
        stop.set()
        for t in threads:
            t.join(timeout=RETRY_FOR + 30)
        ran = time.monotonic() - started
        # Let the workers finish what is queued, then stop everything before checking.
        time.sleep(5)
        metrics = _metrics()
        for s in services:
            s.stop()
        found = check(book)
        report = summarise(
            args, book, found, world, ran, restarted, workers, services, cluster, wall_start, metrics
        )
        print("\n".join(report))
        if not args.no_write:
            write_section("reliability", report)
        bad = [k for k in INVARIANTS if found[k]]
        if bad:
            print("INVARIANTS BROKEN: " + ", ".join(bad), flush=True)
            sys.exit(1)
    finally:
        for s in services:
            s.stop()
        cluster.stop()


INVARIANTS = [
    "told but missing or different",
    "idempotency keys with more than one appeal",
    "numbers held twice",
    "state differs from last event",
    "doubled events",
    "appeals without their submitted event",
    "answered steps without their event",
    "receipts without their event",
]


def _wait_http() -> None:
    for _ in range(120):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=2)
            conn.request("GET", "/healthz/live")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit("gunicorn did not start")


def _metrics() -> dict[str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=10)
    try:
        conn.request("GET", "/metrics")
        text = conn.getresponse().read().decode()
    except OSError:
        return {}
    return {
        line.split(" ")[0]: line.split(" ")[1]
        for line in text.splitlines()
        if line.startswith(("qinqing_queue", "qinqing_sweep", "qinqing_worker"))
    }


def summarise(args, book, found, world, ran, restarted, workers, services, cluster, wall_start, metrics):
    lat = sorted(book.latencies)

    def pct(p):
        return f"{lat[min(len(lat) - 1, int(p * len(lat)))] * 1000:.0f}" if lat else "—"

    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    total = sum(book.requests.values())
    lines = [
        "## Reliability under load and faults (`bench/reliability.py`, `make bench-reliability`)",
        "",
        f"Produced by `make bench-reliability` ({wall_start:%Y-%m-%d}), {args.minutes:g} minutes. "
        f"{len(world['tokens']['enterprise'])} enterprise users, {len(world['tokens']['handler'])} department "
        f"handlers and {len(world['tokens']['dispatcher'])} dispatcher desks (50 threads, each pausing "
        f"{THINK[0]}–{THINK[1]} s between actions) through the API with bearer tokens and an Idempotency-Key on "
        "every write; a failed request (connection error, 5xx, timeout) is sent again unchanged.",
        f"Server: gunicorn `-w {GUNICORN_WORKERS}` (sync), `DEBUG` off, two `db_worker` processes and the "
        f"scheduler, each restarted a second after it exits (as systemd's `Restart=always`); {cluster.version()} in "
        "a cluster of its own. Everything shares the machine's cores with the simulated users"
        + (
            f" and with other work: load average {LOAD[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end."
            if LOAD
            else "."
        ),
        f"- Machine: {os.cpu_count()} cores ({cpu_name()}), {mem:.0f} GiB memory, Python {platform.python_version()}",
        f"- Data: an empty database at the start (reference data, {len(world['departments'])} departments); at the "
        f"end {found['appeals in the database']:,} appeals, {found['events']:,} events, states "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(found["states"].items())),
        f"- Faults: {sum(w.kills for w in workers)} worker kills (SIGKILL, one a minute), PostgreSQL restarted "
        + (
            f"once at {restarted[0]:.0f} s (`pg_ctl restart -m fast` took {restarted[1]:.1f} s)"
            if restarted
            else "never"
        )
        + "; process exits seen: "
        + ", ".join(f"{s.name} {len(s.exits)}" for s in services),
        "",
        "| phase | requests | connection errors | 5xx |",
        "|---|---|---|---|",
    ]
    names = {
        "normal": "before the restart",
        "db restart": "restart, until 10 s after",
        "after restart": "after",
    }
    for phase in ("normal", "db restart", "after restart"):
        conn_err = sum(n for (p, w), n in book.failures.items() if p == phase and not w.startswith("HTTP"))
        five = sum(n for (p, w), n in book.failures.items() if p == phase and w.startswith("HTTP"))
        lines.append(f"| {names[phase]} | {book.requests[phase]:,} | {conn_err:,} | {five:,} |")
    detail = ", ".join(f"{p}: {w} × {n}" for (p, w), n in sorted(book.failures.items())) or "none"
    lines += [
        "",
        f"Throughput {total / ran:.0f} requests/s over {ran:.0f} s ({total:,} requests); answered requests p50 "
        f"{pct(0.5)} ms, p95 {pct(0.95)} ms, p99 {pct(0.99)} ms. Failures by kind: {detail}. "
        f"Requests that succeeded on a retry: {book.retried_ok:,}; given up after {RETRY_FOR:.0f} s: "
        f"{book.gave_up}. 409 (step already taken by another user): "
        + (", ".join(f"{k} {v}" for k, v in sorted(book.conflicts.items())) or "none")
        + ".",
        "",
        "| check | result |",
        "|---|---|",
    ]
    for key, value in found.items():
        if key in ("states",):
            continue
        mark = " ✔" if key in INVARIANTS and value == 0 else (" ✘" if key in INVARIANTS else "")
        lines.append(f"| {key} | {value:,}{mark} |")
    if metrics:
        lines += [
            "",
            "At the end, `/metrics`: " + ", ".join(f"`{k}` {v}" for k, v in sorted(metrics.items())),
        ]
    return lines


if __name__ == "__main__":
    main()
