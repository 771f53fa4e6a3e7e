"""`make bench` (third part): dashboard and department evaluation on PostgreSQL at 100,000 and 1,000,000 appeals.

Loads appeals in bulk (one year, 5 districts, 20 departments, every state), then times, in one process, the
dashboard figures of the whole city for the year and for a month, the department evaluation for a month and a
quarter, and one deadline sweep. Writes its section of BENCHMARKS.md between the supervision markers.

Environment: BENCH_SUP_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/qinqing_bench_sup; dropped and
recreated), BENCH_SIZES (default "100000,1000000").
"""

import datetime as dt
import os
import random
import statistics
import time

from common import cpu_name, make_city, setup_django, write_section

DB_URL = os.environ.get("BENCH_SUP_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qinqing_bench_sup")
SIZES = [int(x) for x in os.environ.get("BENCH_SIZES", "100000,1000000").split(",")]


def timed(fn, repeat: int = 7) -> tuple[float, float]:
    fn()  # warm
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    runs.sort()
    return statistics.median(runs), runs[-1]


def main() -> None:
    setup_django(DB_URL)
    from django.db import connection
    from django.utils import timezone

    from qinqing.accounts.models import Role, User
    from qinqing.appeals.models import Appeal, Category, Channel
    from qinqing.core import workcalendar
    from qinqing.dashboard.figures import figures
    from qinqing.dashboard.rollup import refresh
    from qinqing.organisation.models import Department
    from qinqing.supervision.evaluation import evaluate
    from qinqing.supervision.sweep import sweep

    rng = random.Random(5)
    city, districts, enterprises = make_city(5000)
    depts = [Department.objects.create(name=f"职能部门{i}", region=city) for i in range(1, 21)]
    dispatcher = User.objects.create_user(username="bench_dispatcher", role=Role.DISPATCHER, region=city)
    categories = list(Category.objects.all())
    channels = Channel.values
    now = timezone.now()
    year_start = now - dt.timedelta(days=365)
    deadlines = {}

    def deadline(day: dt.date, days: int):
        key = (day, days)
        if key not in deadlines:
            deadlines[key] = workcalendar.deadline_after(
                timezone.make_aware(dt.datetime.combine(day, dt.time(10))), days
            )
        return deadlines[key]

    results = {}
    loaded = 0
    today = timezone.localdate()
    month_start = today.replace(day=1)
    for size in SIZES:
        started = time.perf_counter()
        while loaded < size:
            batch = []
            for i in range(loaded, min(size, loaded + 10_000)):
                submitted = year_start + dt.timedelta(seconds=rng.randint(0, 365 * 86400))
                e = enterprises[rng.randrange(len(enterprises))]
                roll = rng.random()
                status = (
                    "closed"
                    if roll < 0.70
                    else "replied"
                    if roll < 0.78
                    else "in_progress"
                    if roll < 0.92
                    else "assigned"
                    if roll < 0.97
                    else "submitted"
                )
                lead = depts[rng.randrange(len(depts))] if status != "submitted" else None
                assigned = submitted + dt.timedelta(hours=rng.randint(1, 30)) if lead else None
                handle_deadline = deadline(assigned.date(), 10) if assigned else None
                replied = (
                    assigned + dt.timedelta(days=rng.randint(1, 18))
                    if status in ("closed", "replied")
                    else None
                )
                closed = replied + dt.timedelta(days=rng.randint(0, 5)) if status == "closed" else None
                satisfaction = (
                    rng.choice(["satisfied", "satisfied", "satisfied", "basic", "dissatisfied"])
                    if closed
                    else ""
                )
                open_deadline = (
                    handle_deadline
                    if status in ("in_progress", "assigned")
                    else (deadline(submitted.date(), 1) if status == "submitted" else None)
                )
                batch.append(
                    Appeal(
                        number=f"QB{i:09d}",
                        title="诉求",
                        content="内容",
                        category=categories[i % len(categories)],
                        channel=channels[i % len(channels)],
                        enterprise=e,
                        region_id=e.region_id,
                        submitted_by=dispatcher,
                        contact_name="联系人",
                        contact_mobile="13800000000",
                        status=status,
                        lead_department=lead,
                        step="handle" if lead else "triage",
                        deadline=open_deadline,
                        yellow_at=open_deadline - dt.timedelta(days=2) if open_deadline else None,
                        handle_deadline=handle_deadline,
                        handle_days=10,
                        submitted_at=submitted,
                        assigned_at=assigned,
                        signed_at=assigned + dt.timedelta(hours=2)
                        if assigned and status != "assigned"
                        else None,
                        replied_at=replied,
                        closed_at=closed,
                        satisfaction=satisfaction,
                        resolved=(satisfaction != "dissatisfied") if closed else None,
                    )
                )
            Appeal.objects.bulk_create(batch)
            loaded += len(batch)
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE appeals_appeal")
        load_seconds = time.perf_counter() - started
        r = {"load_seconds": load_seconds}
        refresh()  # the worker's minutely job; the dashboard only reads the summaries it keeps
        r["dashboard_year"] = timed(lambda: figures(dispatcher, today - dt.timedelta(days=365), today))
        r["dashboard_month"] = timed(lambda: figures(dispatcher, month_start, today))
        r["evaluation_month"] = timed(lambda: evaluate(city, month_start, today), repeat=3)
        r["evaluation_quarter"] = timed(
            lambda: evaluate(city, today - dt.timedelta(days=90), today), repeat=3
        )
        if size == SIZES[0]:  # the first sweep works off the whole backlog once; timing it once is enough
            t0 = time.perf_counter()
            swept = sweep()
            r["sweep_seconds"] = time.perf_counter() - t0
            r["sweep_alerts"] = sum(swept.created.values())
        results[size] = r
        print(size, r, flush=True)
    write(results)


def write(results: dict) -> None:
    lines = [
        "## Dashboard and evaluation (`bench/supervision.py`)",
        "",
        f"Machine: {os.cpu_count()} cores, {cpu_name()}; PostgreSQL 15 on the same machine; one Python process, warm",
        f"(median and worst of 7 runs; evaluation 3). Run {dt.date.today():%Y-%m-%d}. One year of appeals, 5 districts,",
        "20 departments, 70% closed. The dashboard is the whole city (the widest scope).",
        "",
        "| appeals | dashboard, year | dashboard, month | evaluation, month | evaluation, quarter | first sweep |",
        "|---|---|---|---|---|---|",
    ]
    for size, r in sorted(results.items()):
        lines.append(
            f"| {size:,} | {r['dashboard_year'][0]:.0f} ms (max {r['dashboard_year'][1]:.0f}) "
            f"| {r['dashboard_month'][0]:.0f} ms (max {r['dashboard_month'][1]:.0f}) "
            f"| {r['evaluation_month'][0]:.0f} ms | {r['evaluation_quarter'][0]:.0f} ms "
            + (
                f"| {r['sweep_seconds']:.1f} s ({r['sweep_alerts']:,} rungs) |"
                if "sweep_seconds" in r
                else "| — |"
            )
        )
    section = write_section("supervision", lines)
    print(section)


if __name__ == "__main__":
    main()
