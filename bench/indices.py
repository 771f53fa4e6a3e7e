"""`make bench` (indices): the index pages for a province-sized set of observations on PostgreSQL.

Builds a province with BENCH_IDX_REGIONS regions (default 100: the province, its cities and their districts),
and for each region every leaf of the three shipped frameworks observed for BENCH_IDX_YEARS years (default 5),
plus benchmarks of 广州, 深圳 and 标杆城市 for each year and first-level targets. Then times, in one process with
the Django test client (p50/p95 of 30 requests each, after one warm-up):

* the framework tree page of a district for the latest year against 深圳 (scores, lights, delta, gap, radar),
  for each of the three frameworks;
* the indicator page of a leaf (values over periods, evidence, benchmarks, contributions);
* the scores API of the national framework; ``region_summary`` for the leaders' dashboard.

Writes its section of BENCHMARKS.md between the indices markers. Environment: BENCH_IDX_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/indices_bench_pg; dropped and recreated).
"""

import os
import random
import statistics
import time

from common import cpu_name, setup_django, write_section

DB_URL = os.environ.get("BENCH_IDX_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/indices_bench_pg")
N_REGIONS = int(os.environ.get("BENCH_IDX_REGIONS", "100"))
N_YEARS = int(os.environ.get("BENCH_IDX_YEARS", "5"))


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
    from decimal import Decimal

    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from qinqing.accounts.models import Role, User
    from qinqing.indices import selectors
    from qinqing.indices.models import Benchmark, Framework, Indicator, Observation, Target
    from qinqing.organisation.models import Region

    rng = random.Random(16)  # noqa: S311 - benchmark data
    t0 = time.perf_counter()
    province = Region.objects.create(code="440000", name="某省", level=Region.Level.PROVINCE)
    regions = [province]
    n_cities = max(1, -(-(N_REGIONS - 1) // 10))  # a city and up to nine districts each
    for c in range(n_cities):
        city = Region.objects.create(
            code=f"44{c + 1:02d}00", name=f"第{c + 1}市", level="city", parent=province
        )
        regions.append(city)
        for d in range(9):
            if len(regions) >= N_REGIONS:
                break
            regions.append(
                Region.objects.create(
                    code=f"44{c + 1:02d}{d + 1:02d}",
                    name=f"第{c + 1}市第{d + 1}区",
                    level="district",
                    parent=city,
                )
            )
    year = timezone.localdate().year - 1
    years = list(range(year - N_YEARS + 1, year + 1))
    leaves = list(Indicator.objects.filter(children__isnull=True))
    rows = []
    n_obs = 0
    for region in regions:
        for ind in leaves:
            for y in years:
                lo, hi = (
                    (float(ind.best or 100), float(ind.worst or 0)) if ind.method == "frontier" else (0, 100)
                )
                rows.append(
                    Observation(
                        indicator=ind,
                        region=region,
                        period=str(y),
                        value=Decimal(str(round(rng.uniform(min(lo, hi), max(lo, hi)), 2))),
                        state="verified",
                    )
                )
        if len(rows) > 20000:
            Observation.objects.bulk_create(rows)
            n_obs += len(rows)
            rows = []
    Observation.objects.bulk_create(rows)
    n_obs += len(rows)
    Benchmark.objects.bulk_create(
        [
            Benchmark(
                indicator=i,
                comparator=c,
                period=str(y),
                value=Decimal(str(round(rng.uniform(50, 100), 2))),
                source="bench",
            )
            for i in leaves
            for c in ("广州", "深圳", "标杆城市")
            for y in years
        ]
    )
    Target.objects.bulk_create(
        [
            Target(indicator=i, region=r, period=str(y), value=80)
            for i in Indicator.objects.filter(parent__isnull=True)
            for r in regions
            for y in years
        ]
    )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    load_s = time.perf_counter() - t0
    district = regions[-1]
    office = User.objects.create_user(
        username="bench_office", password="x", role=Role.DISPATCHER, region=province
    )
    client = Client()
    client.force_login(office)

    def page(url):
        def call():
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code)

        return call

    results = []
    for fw in Framework.objects.order_by("code"):
        url = f"/indices/{fw.code}/?region={district.pk}&period={year}&benchmark=深圳"
        results.append((f"tree page, {fw.name} ({fw.indicators.count()} indicators)", timed(page(url))))
    leaf = Indicator.objects.get(code="CN01.02")
    results.append(
        (
            "indicator page (CN01.02, 5 years, 3 benchmarks)",
            timed(page(f"/indices/indicators/{leaf.pk}/?region={district.pk}")),
        )
    )
    api = Client()
    api.force_login(office)
    results.append(
        (
            "scores API, national framework",
            timed(
                page(f"/api/indices/frameworks/cn-national-2020/scores?region_id={district.pk}&period={year}")
            ),
        )
    )
    national = Framework.objects.get(code="cn-national-2020")
    results.append(
        (
            "region_summary (dashboard selector)",
            timed(lambda: selectors.region_summary(office, national, district, str(year))),
        )
    )

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
    lines = [
        "## Evaluation index (`bench/indices.py`, PostgreSQL)",
        "",
        f"Machine: {cpu_name()}, {os.cpu_count()} CPUs (shared with other work while measured), PostgreSQL {pg}, "
        f"run {timezone.localdate():%Y-%m-%d}. Data: {len(regions)} regions (a province, {n_cities} cities, their districts) × "
        f"3 frameworks ({len(leaves)} leaves) × {N_YEARS} years = {n_obs:,} observations; benchmarks of 3 comparators "
        f"per leaf and year; first-level targets per region and year. Loading took {load_s:.0f} s. Requests through "
        "the Django test client in one process, as the province office (every region visible).",
        "",
        "| request | p50 ms | p95 ms | target |",
        "| --- | --- | --- | --- |",
        *[f"| {label} | {p50:.0f} | {p95:.0f} | p95 < 200 ms |" for label, (p50, p95) in results],
    ]
    print(write_section("indices", lines))


if __name__ == "__main__":
    main()
