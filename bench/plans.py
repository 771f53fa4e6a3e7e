"""`make bench` (plans): the leaders' plans dashboard over 5,000 tasks on PostgreSQL.

Generates 青川市 with BENCH_PLAN_DEPARTMENTS departments (default 40) and one approved plan of BENCH_PLAN_TASKS
tasks (default 5,000) across the four environments, three milestones each (a quarter done, some overdue, some due
within the yellow window, the rest ahead), progress reports for two thirds of the tasks, then runs the sweep (every
late report and overdue milestone gets its 督办单) and times, in one process (Django test client, p50/p95 of 30):

* the dashboard page (/plans/dashboard/) and its API (/api/plans/dashboard) for the city office and a leader;
* the task list, first page, and the red tasks (the dashboard's drill-down);
* the sweep from empty and again (nothing to do).

Writes its section of BENCHMARKS.md between the plans markers. Environment: BENCH_PLAN_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/plans_bench_pg; dropped and recreated).
"""

import datetime as dt
import os
import random
import statistics
import time

from common import cpu_name, setup_django, write_section

DB_URL = os.environ.get("BENCH_PLAN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/plans_bench_pg")
N_TASKS = int(os.environ.get("BENCH_PLAN_TASKS", "5000"))
N_DEPTS = int(os.environ.get("BENCH_PLAN_DEPARTMENTS", "40"))


def timed(client, url: str, n: int = 30) -> tuple[float, float]:
    client.get(url)
    runs = []
    for _ in range(n):
        t0 = time.perf_counter()
        response = client.get(url)
        runs.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    runs.sort()
    return statistics.median(runs), runs[int(0.95 * (n - 1))]


def main() -> None:
    setup_django(DB_URL)
    from decimal import Decimal

    from django.test import Client
    from django.utils import timezone

    from qinqing.accounts.models import Role, User
    from qinqing.organisation.models import Department, Region
    from qinqing.plans import periods, services
    from qinqing.plans.models import Milestone, Plan, ProgressReport, Slip, Task
    from qinqing.plans.sweep import sweep

    rng = random.Random(16)
    today = timezone.localdate()
    t0 = time.perf_counter()
    city = Region.objects.create(code="339900", name="青川市", level="city")
    depts = [Department.objects.create(name=f"市第{i}局", region=city) for i in range(N_DEPTS)]
    office = User.objects.create_user(username="office", password="x", role=Role.DISPATCHER, region=city)
    leader = User.objects.create_user(username="leader", password="x", role=Role.LEADER, region=city)
    handlers = [
        User.objects.create_user(username=f"h{i}", password="x", role=Role.HANDLER, department=d)
        for i, d in enumerate(depts)
    ]
    plan = Plan.objects.create(
        region=city,
        year=today.year,
        title="行动方案",
        created_by=office,
        approved_by=office,
        state=Plan.State.APPROVED,
        approved_on=today - dt.timedelta(days=90),
    )
    envs = ["law", "government", "market", "social"]
    tasks = Task.objects.bulk_create(
        [
            Task(
                plan=plan,
                code=f"{i // 100 + 1}.{i % 100 + 1}",
                title=f"任务{i}",
                environment=envs[i % 4],
                lead_department=depts[i % N_DEPTS],
                supervisor=leader if i % 3 else None,
                weight=Decimal(rng.choice(["1", "1", "2"])),
                position=i,
            )
            for i in range(N_TASKS)
        ],
        batch_size=2000,
    )
    yellow: dict[dt.date, dt.date] = {}

    def ms(task, due, state):
        if due not in yellow:
            yellow[due] = services.yellow_on(due, min(today, due))
        return Milestone(
            task=task,
            title="节点",
            due=due,
            yellow_on=yellow[due],
            baseline_due=due,
            expected_result="r",
            evidence_required="e",
            state=state,
            done_on=due if state == "done" else None,
        )

    rows = []
    for t in tasks:
        r = rng.random()
        first = today - dt.timedelta(days=rng.randint(20, 60))
        rows.append(ms(t, first, "done" if r < 0.8 else "open"))
        second = today + dt.timedelta(days=rng.choice([-5, -2, 0, 1, 10, 30, 60]))
        rows.append(ms(t, second, "done" if r < 0.25 else "open"))
        rows.append(ms(t, today + dt.timedelta(days=rng.randint(40, 120)), "open"))
    Milestone.objects.bulk_create(rows, batch_size=5000)
    finished = periods.finished_periods(plan, today)
    reports = [
        ProgressReport(
            task=t,
            period_start=s,
            period_end=e,
            due=periods.report_due(plan, e),
            text="进展",
            filed_by=handlers[i % N_DEPTS],
        )
        for i, t in enumerate(tasks)
        if i % 3
        for s, e in finished
    ]
    ProgressReport.objects.bulk_create(reports, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")  # what autovacuum does after a bulk load
    load_s = time.perf_counter() - t0
    print(f"loaded in {load_s:.0f}s: {N_TASKS} tasks, {len(rows)} milestones, {len(reports)} reports")

    t0 = time.perf_counter()
    first_sweep = sweep(today)
    sweep_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = sweep(today)
    again_s = time.perf_counter() - t0
    slips = Slip.objects.count()
    print(
        f"sweep: {sweep_s:.1f}s created={first_sweep.created}; again {again_s:.1f}s created={again.created}"
    )

    results = []
    for who, user in (("office", office), ("leader", leader)):
        c = Client()
        c.force_login(user)
        for label, url in (
            ("dashboard page", "/plans/dashboard/"),
            ("dashboard API", "/api/plans/dashboard"),
            ("task list, first page", f"/plans/tasks/?plan={plan.pk}"),
            ("task list, red", f"/plans/tasks/?plan={plan.pk}&light=red"),
        ):
            p50, p95 = timed(c, url)
            results.append((label, who, p50, p95))
            print(f"{label} ({who}): p50 {p50:.0f} ms, p95 {p95:.0f} ms")

    lines = [
        "## Plans dashboard (`bench/plans.py`, PostgreSQL)",
        "",
        f"Machine: {cpu_name()}, {os.cpu_count()} cores (shared with other work), PostgreSQL on localhost. Data: one",
        f"approved plan of {N_TASKS:,} tasks led by {N_DEPTS} departments, {len(rows):,} milestones, {len(reports):,}",
        f"progress reports, {slips:,} 督办单 issued by the sweep. Django test client in-process, p50/p95 of 30 requests.",
        "",
        "| measurement | who | p50 ms | p95 ms |",
        "| --- | --- | --- | --- |",
        *[f"| {label} | {who} | {p50:.0f} | {p95:.0f} |" for label, who, p50, p95 in results],
        f"| sweep from empty ({first_sweep.created:,} slips created) | system | {sweep_s * 1000:.0f} | — |",
        f"| sweep again (nothing to do) | system | {again_s * 1000:.0f} | — |",
        "",
    ]
    write_section("plans", lines)
    worst = max(p95 for label, _, _, p95 in results if label.startswith("dashboard"))
    print(f"dashboard p95 worst {worst:.0f} ms (target < 200 ms)")


if __name__ == "__main__":
    main()
