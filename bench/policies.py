"""`make bench` (policies): matching 100,000 enterprises against 500 policy items on PostgreSQL.

Generates a city of BENCH_POL_ENTERPRISES enterprises (default 100,000) with files of about ten attributes each
(industry code, dates, figures, qualifications, tax grade, some expired), a few hundred credit entries, and
BENCH_POL_ITEMS items (default 500) of two to four conditions each drawn from every operator, a fifth of them with
a credit gate. Then times, in one process:

* the full run from empty (every result written) and the full run again (nothing changed: nothing written);
* the incremental run after one attribute changed for 1,000 enterprises (the job the import enqueues);
* the enterprise's 可享政策 page and the office's per-item figures page (Django test client, p50/p95 of 30).

Writes its section of BENCHMARKS.md between the policies markers. Environment: BENCH_POL_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/policies_bench_pg; dropped and recreated).
"""

import datetime as dt
import os
import random
import statistics
import time

from common import cpu_name, make_city, setup_django, write_section

DB_URL = os.environ.get("BENCH_POL_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/policies_bench_pg")
N_ENTERPRISES = int(os.environ.get("BENCH_POL_ENTERPRISES", "100000"))
N_ITEMS = int(os.environ.get("BENCH_POL_ITEMS", "500"))
# BENCH_POL_DISTINCT=1: every numeric bound and age threshold drawn anew (few conditions shared between items);
# its figures go to a section of their own.
DISTINCT = os.environ.get("BENCH_POL_DISTINCT") == "1"


def pages(client, url: str, n: int = 30) -> tuple[float, float]:
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
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from qinqing.accounts.models import Role, User
    from qinqing.credit.models import CreditEntry, CreditList, ListKind
    from qinqing.enterprises import services as enterprise_services
    from qinqing.enterprises.models import EnterpriseAttribute
    from qinqing.organisation.models import Department
    from qinqing.policies import matching
    from qinqing.policies.models import Condition, GateRule, PolicyDocument, PolicyItem, PolicyMatch

    rng = random.Random(15)
    today = timezone.localdate()
    t0 = time.perf_counter()
    city, districts, enterprises = make_city(N_ENTERPRISES)
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE enterprises_enterprise SET scale = (ARRAY['large','medium','small','micro'])[1 + id % 4], "
            "industry = (ARRAY['C','C','F','G','I','M'])[1 + id % 6]"
        )
    codes = ["3411", "3511", "3990", "1610", "5191", "6513", "6520", "7320", "2710", "3830"]
    rows = []
    for e in enterprises:

        def add(key, value, until=None, e=e, rows=rows):
            rows.append(
                EnterpriseAttribute(
                    enterprise_id=e.pk,
                    key=key,
                    value=value,
                    source="imported",
                    as_of=dt.date(today.year, 3, 31) if today.month > 3 else today,
                    valid_until=until,
                )
            )

        add("industry_code", rng.choice(codes))
        add("established_on", (today - dt.timedelta(days=rng.randint(100, 9000))).isoformat())
        add("employees", str(rng.randint(3, 2000)))
        add("revenue_last_year", str(rng.randint(50, 200000)))
        if rng.random() < 0.8:
            add("rnd_last_year", str(rng.randint(0, 5000)))
        add("taxable_income_last_year", str(rng.randint(0, 3000)))
        add("total_assets", str(rng.randint(100, 100000)))
        add("tax_credit_grade", rng.choice("AABBBMCD"))
        if rng.random() < 0.15:
            add("hnte_cert", f"GR{e.pk:010d}", today + dt.timedelta(days=rng.randint(-200, 900)))
        if rng.random() < 0.08:
            add("srdi_level", rng.choice(["province", "province", "national"]))
        if rng.random() < 0.3:
            add("above_scale", rng.choice(["true", "false"]))
        if len(rows) >= 50000:
            EnterpriseAttribute.objects.bulk_create(rows)
            rows = []
    EnterpriseAttribute.objects.bulk_create(rows)
    serious = CreditList.objects.create(
        code="serious", kind=ListKind.SERIOUS, name="严重失信主体名单", legal_basis="x"
    )
    red = CreditList.objects.create(code="red", kind=ListKind.RED, name="守信激励名单", legal_basis="x")
    CreditEntry.objects.bulk_create(
        [
            CreditEntry(
                credit_list=rng.choice([serious, red]),
                uscc=e.uscc,
                name=e.name,
                enterprise_id=e.pk,
                reason="x",
                decision_no=f"D{e.pk}",
                decided_on=today - dt.timedelta(days=30),
                display_until=today + dt.timedelta(days=300),
            )
            for e in rng.sample(enterprises, min(500, len(enterprises)))
        ]
    )
    dept = Department.objects.create(name="市科技局", region=city)
    doc = PolicyDocument.objects.create(
        number="青政发〔2026〕1号",
        title="若干政策",
        issuer="青川市人民政府",
        level="city",
        region=city,
        published_on=today - dt.timedelta(days=60),
    )
    if DISTINCT:  # the worst case: every figure and age threshold its own (a run shares nothing)

        def figure(choices, lo, hi):
            return str(rng.randint(lo, hi))

        def years():
            return str(rng.randint(1, 30))
    else:

        def figure(choices, lo, hi):
            return str(rng.choice(choices))

        def years():
            return str(rng.choice([2, 3, 5, 10]))

    pool = [
        lambda: ("region", "region_within", rng.choice(districts).code),
        lambda: (
            "industry_code",
            "industry_in",
            ",".join(rng.sample(["34", "35", "39", "16", "51", "65", "73", "C", "I"], 2)),
        ),
        lambda: ("scale", "scale_in", rng.choice(["小型,微型", "中型,小型,微型", "大型"])),
        lambda: ("hnte_cert", "qualified", ""),
        lambda: ("srdi_level", "qualified", rng.choice(["省级,国家级", "国家级"])),
        lambda: ("above_scale", "qualified", ""),
        lambda: ("revenue_last_year", "gte", figure([1000, 2000, 20000, 100000], 500, 150000)),
        lambda: ("employees", "lte", figure([50, 300, 1000], 20, 1500)),
        lambda: ("rnd_last_year", "gte", figure([100, 500, 2000], 50, 3000)),
        lambda: ("established_on", rng.choice(["age_lte", "age_gte"]), years()),
        lambda: ("tax_credit_grade", "in", rng.choice(["A", "A,B", "A,B,M"])),
        lambda: ("credit", "credit_not_on", "serious"),
    ]
    for i in range(N_ITEMS):
        item = PolicyItem.objects.create(
            document=doc, name=f"政策事项{i}", kind="subsidy", mode="automatic", department=dept
        )
        conds = [pool[0]()] + [rng.choice(pool[1:])() for _ in range(rng.randint(1, 3))]
        Condition.objects.bulk_create(
            [
                Condition(item=item, attribute=a, operator=o, value=v, clause="第一条", position=k)
                for k, (a, o, v) in enumerate(conds)
            ]
        )
        if rng.random() < 0.2:
            GateRule.objects.create(
                item=item,
                effect=rng.choice(["refuse", "prefer"]),
                kinds=rng.choice(["serious", "red"]),
                measure="信易+",
            )
    load_s = time.perf_counter() - t0
    n_attrs = EnterpriseAttribute.objects.count()
    print(f"loaded in {load_s:.0f}s: {N_ENTERPRISES} enterprises, {n_attrs} attributes, {N_ITEMS} items")

    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    if os.environ.get("BENCH_PROFILE"):  # where the full run spends its time (cProfile, top 25 by own time)
        import cProfile
        import pstats

        profile = cProfile.Profile()
        first = profile.runcall(matching.run, push=False)
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
    else:
        first = matching.run(push=False)
    full_s = time.perf_counter() - t0
    print(f"full run from empty: {full_s:.1f}s {first.summary()} created={first.created}")
    t0 = time.perf_counter()
    again = matching.run(push=False)
    again_s = time.perf_counter() - t0
    print(f"full run again: {again_s:.1f}s written={again.created + again.changed + again.deleted}")

    changed = rng.sample(enterprises, 1000)
    from qinqing.enterprises.services import ImportRow

    enterprise_services.import_attributes(
        rows=[
            ImportRow(k, e.pk, "employees", str(rng.randint(3, 2000)), "imported", today, None)
            for k, e in enumerate(changed)
        ],
        refused=[],
        batch="bench",
    )
    t0 = time.perf_counter()
    inc = matching.run(enterprise_ids=[e.pk for e in changed], push=False)
    inc_s = time.perf_counter() - t0
    print(f"incremental (1,000 enterprises): {inc_s:.2f}s written={inc.created + inc.changed + inc.deleted}")

    stored = PolicyMatch.objects.count()
    busiest = (
        PolicyMatch.objects.values("enterprise_id")
        .order_by("enterprise_id")
        .annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("id"))
        .order_by("-n")
        .first()
    )
    owner = User.objects.create_user(
        username="bench_ent", password="x", role=Role.ENTERPRISE, enterprise_id=busiest["enterprise_id"]
    )
    office = User.objects.create_user(
        username="bench_office", password="x", role=Role.DISPATCHER, region=city
    )
    # The pages are timed on the table as it is once autovacuum has visited it after the load (minutes, on a
    # deployment), not while it does: the load's autovacuum would otherwise run during the page timings.
    with connection.cursor() as cur:
        cur.execute("VACUUM (ANALYZE) policies_policymatch")
    c1, c2 = Client(), Client()
    c1.force_login(owner)
    c2.force_login(office)
    mine = pages(c1, "/policies/mine/")
    figs = pages(c2, "/policies/figures/", 10)

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
    distinct = Condition.objects.values("attribute", "operator", "value").distinct().count()
    n_conditions = Condition.objects.count()
    busiest_n = busiest["n"]
    lines = [
        "## Policy matching (`bench/policies.py`, PostgreSQL)",
        "",
        f"Machine: {cpu_name()}, {os.cpu_count()} CPUs, load average {load:.1f} when the runs started, "
        f"PostgreSQL {pg}, default settings. "
        f"Data: {N_ENTERPRISES:,} enterprises with {n_attrs:,} attributes, {N_ITEMS} items of 2–4 conditions "
        f"(every operator; {n_conditions:,} conditions, {distinct} distinct: items share 注册在某区, 中小微企业, "
        f"高新技术企业… as real ones do, and a run decides each distinct condition once per chunk), a fifth with a "
        f"credit gate, 500 credit entries. Stored results after the run: {stored:,} "
        "(eligible, undetermined, blocked by credit; other ineligible pairs are not stored). "
        "Pages are timed after VACUUM (ANALYZE) of the matches (what autovacuum does minutes after a load). "
        "The 可享政策 page is that of the enterprise with the most results "
        f"({busiest_n}); the figures page reads the per item × region tallies.",
        "",
        "| run | time | target |",
        "| --- | --- | --- |",
        f"| full run from empty ({first.enterprises:,} × {first.items}, {first.created:,} results written) | {full_s:.1f} s | < 60 s |",
        f"| full run again (nothing changed, nothing written) | {again_s:.1f} s | |",
        f"| incremental after one attribute changed for 1,000 enterprises ({inc.created + inc.changed + inc.deleted} written) | {inc_s:.2f} s | < 2 s |",
        f"| 可享政策 page of the enterprise with the most results, p50 / p95 (30 requests) | {mine[0]:.0f} / {mine[1]:.0f} ms | p95 < 100 ms |",
        f"| office per-item figures page (city, {N_ITEMS} items), p50 / p95 (10 requests) | {figs[0]:.0f} / {figs[1]:.0f} ms | p95 < 100 ms |",
    ]
    if DISTINCT:
        lines[0] = "### Worst case: conditions hardly shared (`BENCH_POL_DISTINCT=1`)"
    print(write_section("policies-distinct" if DISTINCT else "policies", lines))


if __name__ == "__main__":
    main()
