"""`make bench` (projects): 2,000 key projects on PostgreSQL, the office's list page and ``stage_summary``.

Generates a city of 2,000 enterprises and BENCH_PROJECTS projects (default 2,000) spread over the stages, each with
its stage dates and three to five approval steps (working days counted like the services do), a tenth with a 三未
flag. Then times, in one process, p50/p95 of 30 requests each: the city office's project list page (Django test
client, first page with the totals over all projects), the same list through the API, and ``stage_summary`` for the
city. Writes its section of BENCHMARKS.md between the projects markers. Environment: BENCH_PROJECTS_DATABASE_URL
(default postgres://postgres@127.0.0.1:5432/projects_bench_pg; dropped and recreated).
"""

import datetime as dt
import os
import random
import statistics
import time

from common import cpu_name, make_city, setup_django, write_section

DB_URL = os.environ.get("BENCH_PROJECTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/projects_bench_pg")
N_PROJECTS = int(os.environ.get("BENCH_PROJECTS", "2000"))


def timed(call, n: int = 30) -> tuple[float, float]:
    call()
    runs = []
    for _ in range(n):
        t0 = time.perf_counter()
        call()
        runs.append((time.perf_counter() - t0) * 1000)
    runs.sort()
    return statistics.median(runs), runs[int(0.95 * (n - 1))]


def main() -> None:
    setup_django(DB_URL)
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from qinqing.accounts.models import ApiToken, Role, User
    from qinqing.organisation.models import Department
    from qinqing.projects import selectors, timing
    from qinqing.projects.models import STAGES, ApprovalStep, FlagRule, Project, ProjectFlag, StagePlan

    rng = random.Random(16)
    today = timezone.localdate()
    t0 = time.perf_counter()
    city, districts, enterprises = make_city(2000)
    office = User.objects.create_user(
        username="bench_office", password="x", role=Role.DISPATCHER, region=city
    )
    depts = [Department.objects.create(name=f"市第{i}局", region=city) for i in range(6)]
    projects = Project.objects.bulk_create(
        [
            Project(
                name=f"重点项目{i}",
                number=f"XM{i:010d}",
                enterprise=enterprises[i % len(enterprises)],
                amount=rng.randint(1000, 500000),
                industry=rng.choice("CCCDGIM"),
                region=districts[i % 5],
                stage=rng.choice(STAGES),
                created_by=office,
            )
            for i in range(N_PROJECTS)
        ]
    )
    plans, steps, flags = [], [], []
    for p in projects:
        day = today - dt.timedelta(days=rng.randint(400, 1500))
        reached = STAGES.index(p.stage)
        actuals = {}
        for k, stage in enumerate(STAGES):
            actual = None
            if k <= reached:
                day = min(today, day + dt.timedelta(days=rng.randint(10, 120)))
                actual = day
            actuals[stage] = actual
            plans.append(StagePlan(project=p, stage=stage, actual_on=actual, planned_on=actual))
        p.sign_to_start_days = timing.span(actuals["signed"], actuals["started"])
        start = today - dt.timedelta(days=rng.randint(200, 900))
        spans = []
        for k in range(rng.randint(3, 5)):
            end = start + dt.timedelta(days=rng.randint(5, 60))
            done = end <= today
            steps.append(
                ApprovalStep(
                    project=p,
                    kind=["approval", "land_planning", "eng_planning", "construction", "completion"][k],
                    department=depts[k],
                    position=k,
                    submitted_on=start,
                    approved_on=end if done else None,
                    working_days=timing.span(start, end) if done else None,
                )
            )
            if done:
                spans.append((start, end))
            start = end + dt.timedelta(days=rng.randint(0, 30))
        p.approval_days = timing.union(spans) if spans else None
        p.approval_done = len(spans) == k + 1 and k == 4
        if rng.random() < 0.1:
            flags.append(ProjectFlag(project=p, rule=rng.choice(FlagRule.values), detail="bench"))
    StagePlan.objects.bulk_create(plans, batch_size=5000)
    ApprovalStep.objects.bulk_create(steps, batch_size=5000)
    ProjectFlag.objects.bulk_create(flags)
    Project.objects.bulk_update(
        projects, ["approval_days", "approval_done", "sign_to_start_days"], batch_size=1000
    )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    load_s = time.perf_counter() - t0
    print(f"loaded in {load_s:.0f}s: {N_PROJECTS} projects, {len(steps)} steps, {len(flags)} flags")

    page = Client()
    page.force_login(office)
    raw = ApiToken.issue(user=office, name="bench")[1]
    api = Client(headers={"Authorization": f"Bearer {raw}"})

    def get(client, url):
        def call():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return call

    listing = timed(get(page, "/projects/"))
    filtered = timed(get(page, "/projects/?stage=building&flag=any"))
    listing_api = timed(get(api, "/api/projects?limit=100"))
    summary = timed(lambda: selectors.stage_summary(office))
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
    lines = [
        "## Key projects (`bench/projects.py`, PostgreSQL)",
        "",
        f"Machine: {cpu_name()}, {os.cpu_count()} CPUs (shared with other work while measured), PostgreSQL {pg}. "
        f"Data: {N_PROJECTS:,} projects over five districts and every stage, {len(steps):,} approval steps, "
        f"{len(flags):,} open 三未 flags; the city office's view (all of them).",
        "",
        "| request | p50 / p95 (30 requests) | target |",
        "| --- | --- | --- |",
        f"| project list page, first page with the totals over all projects | {listing[0]:.0f} / {listing[1]:.0f} ms | p95 < 200 ms |",
        f"| project list page filtered on stage and flag | {filtered[0]:.0f} / {filtered[1]:.0f} ms | p95 < 200 ms |",
        f"| `GET /api/projects?limit=100` | {listing_api[0]:.0f} / {listing_api[1]:.0f} ms | p95 < 200 ms |",
        f"| `stage_summary` (the plans dashboard's figures) for the city | {summary[0]:.0f} / {summary[1]:.0f} ms | p95 < 200 ms |",
    ]
    print(write_section("projects", lines))


if __name__ == "__main__":
    main()
