"""`make bench`: the production set-up (gunicorn, 2 sync workers, DEBUG off) on PostgreSQL with 100,000
appeals, loaded with wrk from this machine. Writes BENCHMARKS.md.

Measures: appeal creation through the API at concurrency 8, in rounds interleaved with the peer's (django-helpdesk
ticket creation through its REST API, bench/peer.py: same gunicorn set-up, same wrk client, as many existing
tickets as appeals); the dispatcher's list endpoint and list page, first page and filtered by state + department.

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/qinqing_bench; the database is
dropped and recreated), BENCH_APPEALS (default 100000), BENCH_SECONDS (default 15 per measurement),
BENCH_ROUNDS (default 5 creation rounds each for qinqing and the peer); the peer's own in bench/peer.py.
"""

import datetime as dt
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import peer
from common import cpu_name, write_section

ROOT = Path(__file__).resolve().parent.parent
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qinqing_bench")
N_APPEALS = int(os.environ.get("BENCH_APPEALS", "100000"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
# Two sync workers by default, the set-up the issue names; e.g. "-w 2 -k gthread --threads 4" to compare.
GUNICORN_ARGS = os.environ.get("BENCH_GUNICORN_ARGS", "-w 2").split()
BASE = f"http://127.0.0.1:{PORT}"

ENV = {
    **os.environ,
    "DATABASE_URL": DB_URL,
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-key-not-for-production-use-0123456789",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "LOG_LEVEL": "ERROR",
    "DB_CONN_MAX_AGE": "600",
}


def recreate_database() -> None:
    import psycopg

    url = urlparse(DB_URL)
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(*args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=ENV, check=True, capture_output=True, text=True
    ).stdout


def load_data() -> dict:
    """Load the city and N appeals directly with bulk inserts (the services would take an hour for 100k)."""
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "qinqing.settings"
    import django

    django.setup()
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.utils import timezone
    from stdnum.cn import uscc

    from qinqing.accounts.models import ApiToken, Role, User
    from qinqing.appeals.models import Appeal, AppealEvent, Category, Channel, Status
    from qinqing.core import workcalendar
    from qinqing.enterprises.models import Contact, Enterprise
    from qinqing.organisation.models import Department, Region

    rng = random.Random(7)
    city = Region.objects.create(code="339900", name="青川市", level="city")
    districts = [
        Region.objects.create(code=f"3399{i:02d}", name=f"第{i}区", level="district", parent=city)
        for i in range(1, 6)
    ]
    depts = [Department.objects.create(name=f"职能部门{i}", region=city) for i in range(1, 21)]
    enterprises = []
    for i in range(2000):
        body = "91339900" + f"{i:09d}"
        enterprises.append(
            Enterprise(
                uscc=body + uscc.calc_check_digit(body),
                name=f"企业{i}有限公司",
                industry="C",
                scale="small",
                region=districts[i % 5],
            )
        )
    enterprises = Enterprise.objects.bulk_create(enterprises)
    Contact.objects.bulk_create(
        [Contact(enterprise=e, name="联系人", mobile="13800000000", is_primary=True) for e in enterprises]
    )
    dispatcher = User.objects.create_user(
        username="bench_dispatcher", password="bench-pass-1", role=Role.DISPATCHER, region=city
    )
    ent_user = User.objects.create_user(
        username="bench_ent", password="bench-pass-1", role=Role.ENTERPRISE, enterprise=enterprises[0]
    )
    categories = list(Category.objects.all())
    statuses = [
        Status.SUBMITTED,
        Status.ASSIGNED,
        Status.IN_PROGRESS,
        Status.REPLIED,
        Status.CLOSED,
        Status.CLOSED,
        Status.CLOSED,
    ]
    now = timezone.now()
    start = now - dt.timedelta(days=365)
    batch = []

    def save_batch(rows):
        saved = Appeal.objects.bulk_create(rows)
        AppealEvent.objects.bulk_create(
            [
                AppealEvent(
                    appeal=a,
                    kind="submitted",
                    actor=dispatcher,
                    actor_name="bench",
                    to_status="submitted",
                    created_at=a.submitted_at,
                )
                for a in saved
            ]
        )

    for i in range(N_APPEALS):
        status = rng.choice(statuses)
        submitted = start + dt.timedelta(seconds=rng.randint(0, 365 * 86400))
        e = enterprises[rng.randrange(len(enterprises))]
        lead = depts[rng.randrange(len(depts))] if status != Status.SUBMITTED else None
        deadline = (
            workcalendar.deadline_after(submitted, 10)
            if status in (Status.SUBMITTED, Status.ASSIGNED, Status.IN_PROGRESS)
            else None
        )
        batch.append(
            Appeal(
                number=f"QB{i:08d}",
                title=f"企业诉求第{i}号：用工与用地问题",
                content="企业反映的问题内容，" * 10,
                category=categories[i % len(categories)],
                channel=Channel.values[i % len(Channel.values)],
                enterprise=e,
                region_id=e.region_id,
                submitted_by=dispatcher,
                contact_name="联系人",
                contact_mobile="13800000000",
                status=status,
                lead_department=lead,
                step="handle" if lead else "triage",
                deadline=deadline,
                yellow_at=deadline - dt.timedelta(days=2) if deadline else None,
                step_days=10,
                handle_deadline=deadline,
                handle_days=10,
                submitted_at=submitted,
            )
        )
        if len(batch) == 5000:
            save_batch(batch)
            batch = []
    if batch:
        save_batch(batch)
    # A third of assigned appeals have a co-handling department.
    through = Appeal.co_departments.through
    ids = list(
        Appeal.objects.filter(lead_department__isnull=False).values_list("id", flat=True)[: N_APPEALS // 3]
    )
    through.objects.bulk_create(
        [through(appeal_id=pk, department_id=depts[pk % len(depts)].pk) for pk in ids], batch_size=10000
    )
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")  # a steady state: no autovacuum of the fresh rows mid-run
    _, ent_token = ApiToken.issue(user=ent_user, name="bench")
    _, disp_token = ApiToken.issue(user=dispatcher, name="bench")
    session = SessionStore()
    session["_auth_user_id"] = str(dispatcher.pk)
    session["_auth_user_backend"] = (
        "qinqing.accounts.security.DemoPasswordRefusingBackend"  # a ModelBackend in AUTHENTICATION_BACKENDS
    )
    session["_auth_user_hash"] = dispatcher.get_session_auth_hash()
    session.create()
    busy = Department.objects.get(pk=depts[3].pk)
    return {
        "ent_token": ent_token,
        "disp_token": disp_token,
        "session": session.session_key,
        "dept": busy.pk,
        "appeals": Appeal.objects.count(),
        "filtered_count": Appeal.objects.filter(status="in_progress", lead_department=busy).count(),
    }


LUA_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.1f p50=%.1f p95=%.1f p99=%.1f requests=%d errors=%d\\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def wrk(
    path: str,
    *,
    connections: int,
    headers: dict,
    body: str | None = None,
    seconds: int = SECONDS,
    base: str = BASE,
) -> dict:
    script = LUA_REPORT
    if body is not None:
        script = f'wrk.method = "POST"\nwrk.body = [[{body}]]\n' + script
    for k, v in headers.items():
        script = f'wrk.headers["{k}"] = "{v}"\n' + script
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(min(2, connections)),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--timeout",
            "10s",
            "-s",
            f.name,
            base + path,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    m = re.search(
        r"RESULT rps=([\d.]+) p50=([\d.]+) p95=([\d.]+) p99=([\d.]+) requests=(\d+) errors=(\d+)", out
    )
    if not m:
        raise RuntimeError(out)
    rps, p50, p95, p99, n, errors = m.groups()
    return {
        "rps": float(rps),
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
        "n": int(n),
        "errors": int(errors),
    }


def check(path: str, headers: dict, base: str = BASE) -> None:
    req = urllib.request.Request(base + path, headers=headers)
    with urllib.request.urlopen(req, timeout=30) as r:  # noqa: S310 - our own loopback server
        assert r.status == 200, r.status


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a live process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    return found


def _backends(db_url: str) -> list[int]:
    """PostgreSQL server processes serving `db_url`'s database (the workers' persistent connections)."""
    import psycopg

    name = urlparse(db_url).path.lstrip("/")
    with psycopg.connect(DB_URL, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name]
        ).fetchall()
    return [pid for (pid,) in rows]


def measured(server: subprocess.Popen, db_url: str, **run) -> dict:
    """A wrk run, plus the CPU its requests cost the server's workers and their PostgreSQL connections, per
    request: a figure that other work on the machine slows down far less than the rate."""
    workers = _children(server.pid)
    backends = _backends(db_url)
    before = sum(map(_cpu_seconds, workers)), sum(map(_cpu_seconds, backends))
    result = wrk(**run)
    after = sum(map(_cpu_seconds, workers)), sum(map(_cpu_seconds, backends))
    n = max(1, result["n"])
    result["app_cpu_ms"] = (after[0] - before[0]) / n * 1000
    result["db_cpu_ms"] = (after[1] - before[1]) / n * 1000
    return result


def wait_for(path: str, headers: dict, base: str = BASE) -> None:
    for _ in range(120):
        try:
            check(path, headers, base)
            return
        except Exception:  # noqa: BLE001 - waiting for the server to come up
            time.sleep(0.5)
    check(path, headers, base)


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    print(f"recreating {DB_URL} and loading {N_APPEALS} appeals ...", flush=True)
    recreate_database()
    manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    t0 = time.time()
    data = load_data()
    load_seconds = time.time() - t0
    print(f"loaded {data['appeals']} appeals in {load_seconds:.0f}s", flush=True)
    versions = peer.ensure_venv()
    print(f"preparing the peer (django-helpdesk) with {data['appeals']} tickets ...", flush=True)
    peer_data = peer.prepare(data["appeals"])
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "qinqing.wsgi",
            *GUNICORN_ARGS,
            "-b",
            f"127.0.0.1:{PORT}",
            "--pythonpath",
            "src",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=ENV,
    )
    helpdesk = peer.start(GUNICORN_ARGS)
    try:
        api_auth = {"Authorization": f"Bearer {data['disp_token']}"}
        page_auth = {"Cookie": f"sessionid={data['session']}"}
        wait_for("/api/categories", api_auth)
        filt = f"status=in_progress&department={data['dept']}"
        for path, h in [
            ("/api/appeals", api_auth),
            (f"/api/appeals?{filt}", api_auth),
            ("/appeals/?tab=all", page_auth),
            (f"/appeals/?tab=all&{filt}", page_auth),
        ]:
            check(path, h)  # warm up and prove each answers 200
        create = {
            "path": "/api/appeals",
            "headers": {"Authorization": f"Bearer {data['ent_token']}", "Content-Type": "application/json"},
            "body": '{"title": "压测诉求：用电增容", "content": "新生产线需要增容，请协调。", "category": "power"}',
        }
        helpdesk_auth = {"Authorization": f"Token {peer_data['token']}"}
        wait_for("/api/", helpdesk_auth, peer.BASE)
        ticket = {
            "path": peer.PATH,
            "headers": {**helpdesk_auth, "Content-Type": "application/json"},
            "body": peer.body(peer_data["queue"]),
            "base": peer.BASE,
        }
        # Warm both create paths (first requests per worker open connections and fill per-process caches).
        wrk(**create, connections=2, seconds=3)
        wrk(**ticket, connections=2, seconds=3)
        # Interleaved rounds, so that the machine's drift (shared cores) falls on both alike.
        rounds: list[tuple[dict, dict]] = []
        for r in range(ROUNDS):
            ours = measured(server, DB_URL, **create, connections=8)
            theirs = measured(helpdesk, peer.DB_URL, **ticket, connections=8)
            print(
                f"round {r + 1}: qinqing {ours['rps']:.0f}/s ({ours['app_cpu_ms']:.1f} + {ours['db_cpu_ms']:.1f} ms"
                f" CPU), django-helpdesk {theirs['rps']:.0f}/s ({theirs['app_cpu_ms']:.1f} +"
                f" {theirs['db_cpu_ms']:.1f} ms CPU)",
                flush=True,
            )
            rounds.append((ours, theirs))
        helpdesk.send_signal(signal.SIGTERM)
        helpdesk.wait(20)
        results = {"create c=8 (median round)": median_round([ours for ours, _ in rounds])}
        for c in (1, 8):
            results[f"API list, first page, c={c}"] = wrk("/api/appeals", connections=c, headers=api_auth)
            results[f"API list, state+department, c={c}"] = wrk(
                f"/api/appeals?{filt}", connections=c, headers=api_auth
            )
            results[f"page list, first page, c={c}"] = wrk(
                "/appeals/?tab=all", connections=c, headers=page_auth
            )
            results[f"page list, state+department, c={c}"] = wrk(
                f"/appeals/?tab=all&{filt}", connections=c, headers=page_auth
            )
    finally:
        for proc in (server, helpdesk):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(20)
    write_report(results, data, load_seconds)
    write_peer_report(rounds, data, peer_data, versions)


def median_round(runs: list[dict]) -> dict:
    """The run with the median rate (its latencies with it), not a mix of figures from different runs."""
    return sorted(runs, key=lambda r: r["rps"])[(len(runs) - 1) // 2]


def machine() -> str:
    mem_gb = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    return f"{os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}, {cpu_name()}), {mem_gb:.0f} GiB memory"


def write_peer_report(rounds: list[tuple[dict, dict]], data: dict, peer_data: dict, versions: dict) -> None:
    ours = statistics.median(r["rps"] for r, _ in rounds)
    theirs = statistics.median(t["rps"] for _, t in rounds)
    ratios = [r["rps"] / t["rps"] for r, t in rounds if t["rps"]]
    table = "\n".join(
        f"| {i} | {r['rps']:.0f} | {r['p95']:.0f} | {r['app_cpu_ms']:.1f} + {r['db_cpu_ms']:.1f} | {r['errors']} "
        f"| {t['rps']:.0f} | {t['p95']:.0f} | {t['app_cpu_ms']:.1f} + {t['db_cpu_ms']:.1f} | {t['errors']} "
        f"| {r['rps'] / t['rps']:.1f}× |"
        for i, (r, t) in enumerate(rounds, start=1)
    )

    def cpu(runs: list[dict]) -> float:
        return statistics.median(x["app_cpu_ms"] + x["db_cpu_ms"] for x in runs)

    ours_cpu, theirs_cpu = cpu([r for r, _ in rounds]), cpu([t for _, t in rounds])
    lines = [
        "## Creation against a peer: django-helpdesk (`bench/run.py`, `bench/peer.py`)",
        "",
        f"Produced by `make bench` ({dt.date.today()}). The same machine, the same wrk client ({SECONDS} s at 8",
        f"connections per run), the same server set-up for both: gunicorn `{' '.join(GUNICORN_ARGS)}` (sync), `DEBUG`",
        "off, persistent database connections, PostgreSQL on this machine. Runs interleave qinqing, peer, qinqing,",
        "peer, … so that the machine's drift falls on both alike.",
        "",
        f"- Machine: {machine()}, Python {platform.python_version()}; shared with other work, so figures are noisy.",
        f"- qinqing: POST /api/appeals as an enterprise user with a bearer token, {data['appeals']:,} appeals already",
        "  stored; each creation numbers the appeal, writes it and its submitted event, and answers its number and",
        "  deadline.",
        f"- Peer: django-helpdesk {versions['django-helpdesk']} (Django {versions['Django']}, djangorestframework"
        f" {versions['djangorestframework']}, gunicorn {versions['gunicorn']}),",
        "  a minimal project of our own (bench/helpdesk/: settings, urls, data set-up; no e-mail leaves, teams mode",
        "  off) serving its REST API; POST /api/tickets/ as a staff user with a DRF token (the ticket API is",
        f"  staff-only), {peer_data['tickets']:,} tickets already stored; each creation writes the ticket and its",
        "  opening follow-up and answers the ticket with its follow-ups.",
        "",
        "| round | qinqing appeals/s | p95 ms | CPU ms/req | errors | django-helpdesk tickets/s | p95 ms | CPU ms/req |"
        " errors | ratio |",
        "|---|---|---|---|---|---|---|---|---|---|",
        table,
        "",
        f"**Median: qinqing {ours:.0f}/s, django-helpdesk {theirs:.0f}/s, ratio {ours / theirs:.1f}×** "
        f"(median of the round ratios {statistics.median(ratios):.1f}×). Target (issue 12): at least 3×.",
        "",
        "CPU ms/req is the CPU the run cost the two gunicorn workers + their PostgreSQL connections, divided by the",
        "requests served (from /proc; wrk and the rest of the machine not counted): the cost of one creation, which",
        "other load on the machine disturbs far less than the rate. Median: qinqing"
        f" {ours_cpu:.1f} ms, django-helpdesk {theirs_cpu:.1f} ms ({theirs_cpu / ours_cpu:.1f}× as much per creation).",
    ]
    print(write_section("peer", lines))


def write_report(results: dict, data: dict, load_seconds: float) -> None:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_gb = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    pg = subprocess.run(
        ["psql", DB_URL, "-Atc", "show server_version"], capture_output=True, text=True
    ).stdout.strip()
    rows = "\n".join(
        f"| {name} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {r['n']} | {r['errors']} |"
        for name, r in results.items()
    )
    lines = [
        "## Appeal lifecycle: intake and lists (`bench/run.py`)",
        "",
        f"Produced by `make bench` ({dt.date.today()}). Each line is {SECONDS} s of wrk load from this machine against",
        f"gunicorn `{' '.join(GUNICORN_ARGS)}`, `DEBUG=0`, on PostgreSQL {pg}; wrk, gunicorn and PostgreSQL share the 2 cores.",
        "",
        f"- Machine: {os.cpu_count()} cores ({cpu}), {mem_gb:.0f} GiB memory, Python {platform.python_version()}",
        f"- Data: {data['appeals']:,} appeals before the creation run (2,000 enterprises, 20 departments, a third of",
        "  assigned appeals with a co-handling department); the filtered list (state `in_progress` + one department)",
        f"  matches {data['filtered_count']:,} appeals. Loading took {load_seconds:.0f} s.",
        "- Lists are the dispatcher's (city region: every appeal visible), 20 rows a page, with the total (capped at",
        "  10,000) and, on the page, the open/yellow/red badges (capped at 999).",
        "- `create` is POST /api/appeals as an enterprise user with a bearer token, the median of the rounds run",
        "  against the peer (next section); `c` is wrk's connection count.",
        "",
        "| measurement | req/s | p50 ms | p95 ms | p99 ms | requests | errors |",
        "|---|---|---|---|---|---|---|",
        rows,
        "",
        "Targets (issue 2): at least 300 appeals created per second; list p95 under 100 ms.",
    ]
    # Only this run's section: the insights and supervision benches write their own.
    report = write_section("lifecycle", lines)
    print(report)


if __name__ == "__main__":
    main()
