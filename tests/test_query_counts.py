"""Query counts pinned on every list page, report and list endpoint (in the spirit of netbox's
query-count baselines). Each route is fetched by each persona over a small city, then again after the city has
grown fourfold: a count above the baseline in tests/query_counts.json fails, and so does a count that grows
with the data (one query per row: N+1). `QINQING_UPDATE_QUERY_COUNTS=1` rewrites the baseline; review the diff.
Counts are kept per database vendor, since savepoints and locks differ between SQLite and PostgreSQL.
"""

import datetime as dt
import itertools
import json
import os
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from qinqing.accounts.models import Role, User
from qinqing.api.api import api
from qinqing.appeals import services
from qinqing.appeals.models import Revisit
from qinqing.enterprises.models import Contact, Enterprise
from qinqing.insights import similar
from qinqing.organisation.models import Department
from qinqing.supervision import services as supervision_services
from qinqing.supervision.sweep import sweep
from tests.conftest import at, make_uscc
from tests.test_get_never_writes import PARAMS, Sample, credit_sample, get_routes, personas, project_sample
from tests.worker import run_worker

pytestmark = pytest.mark.django_db

BASELINE = Path(__file__).with_name("query_counts.json")
UPDATE = os.environ.get("QINQING_UPDATE_QUERY_COUNTS") == "1"
SKIPPED = ("admin/", "api/", "logout/", "login/")
# Detail routes pinned too: one object, but its related rows (events, attachments, orders) must not be N+1.
DETAIL_PAGES = (
    "appeal_detail",
    "appeal_contact",
    "supervision_order",
    "insights_issue",
    "public_honour",
    "entry",
    "request",
    "loan",
    "batch",
    "policies_item",
    "policies_enterprise",
    "detail",
    "redemption_case",
    "redemption_publicity",
    "plan",
    "task",
    "slip",
)
_grown = itertools.count(1)
DETAIL_API = ("/api/appeals/{number}", "/api/appeals/{number}/events")


def routes(sample) -> dict[str, str]:
    """Every page route without path parameters, the detail pages above, and every GET API operation
    without path parameters (from the OpenAPI schema) plus the appeal detail endpoints: route -> URL to fetch.
    Counts are keyed by the route, since ids differ between runs."""
    found = {}
    for route, name in get_routes():
        if route.startswith(SKIPPED):
            continue
        if "<" not in route or name in DETAIL_PAGES:
            found["/" + route] = sample.url(route, name)
    for path, operations in api.get_openapi_schema(path_prefix="/api/")["paths"].items():
        if "get" in operations and ("{" not in path or path in DETAIL_API):
            found[path] = path.replace("{number}", sample.appeal.number)
    return dict(sorted(found.items()))


def grow(world, n: int) -> None:
    """n more appeals in each state, from both enterprises, with supervision and derived data to list."""
    day = at(2026, 11, 16)
    for _ in range(n):
        i = next(_grown)
        department = Department.objects.create(name=f"市第{i}局", region=world.city)
        enterprise = Enterprise.objects.create(
            uscc=make_uscc("339902"),
            name=f"东城第{i}有限公司",
            industry="C",
            scale="small",
            region=world.east,
        )
        Contact.objects.create(
            enterprise=enterprise, name="联络人", mobile=f"1370000{i:04d}", is_primary=True
        )
        owner = User.objects.create_user(
            username=f"grown_{i}", password="pw-qinqing-1", role=Role.ENTERPRISE, enterprise=enterprise
        )
        services.assign_appeal(appeal=world.submit(by=owner), by=world.dispatcher, lead=department, co=[])
        world.closed()
        world.closed(satisfaction="dissatisfied")
        # 回访: one called back, one sampled and waiting.
        services.record_revisit(
            appeal=world.closed(),
            by=world.dispatcher,
            method="phone",
            reached=True,
            satisfaction="basic",
            resolved=True,
        )
        Revisit.objects.create(appeal=world.closed())
        world.replied()
        appeal = world.in_progress()
        world.assigned()
        world.submit(by=world.ent_user_b)
        supervision_services.issue_order(
            by=world.dispatcher,
            department=world.hr,
            appeals=[appeal],
            content="请加快办理",
            respond_by=(day + dt.timedelta(days=3)).date(),
        )
        credit_sample(world, [enterprise], [owner])
        project_sample(world)
        grow_plans(world, department)
    sweep(now=day + dt.timedelta(days=30))
    run_worker()


def grow_plans(world, department) -> None:
    """One more task of the sample plan (a new lead department, a co-operating 人社局), with milestones, a report
    and its evidence, and the slips of a sweep."""
    from qinqing.plans import services as plan_services
    from qinqing.plans.models import Plan
    from qinqing.plans.sweep import sweep as plan_sweep

    plan = Plan.objects.order_by("pk").first()
    i = plan.tasks.count() + 1
    task = plan_services.add_task(
        plan=plan,
        by=world.dispatcher,
        code=f"9.{i}",
        title=f"任务{i}",
        environment="market",
        lead_department=world.hr if i % 2 else department,
        co_departments=[world.hr],
        supervisor=world.leader,
    )
    for d in (dt.date(2026, 11, 10), dt.date(2026, 12, 1)):
        plan_services.add_milestone(
            task=task,
            by=world.dispatcher,
            title=f"节点{d}",
            due=d,
            expected_result="r",
            evidence_required="e",
        )
    if task.lead_department_id == world.hr.pk:
        plan_services.file_report(
            task=task,
            by=world.handler_hr,
            text="进展",
            milestone=task.milestones.last(),
            link="https://example.gov.cn/b",
        )
    plan_sweep(dt.date(2026, 11, 16))


def measure(clients, urls: dict[str, str]) -> dict[str, int]:
    counts = {}
    for persona, client in clients.items():
        for route, url in urls.items():
            # The log is a bounded deque (9,000 entries): once full its length stops growing and a capture
            # would count 0 queries, so it starts empty for every request.
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url, PARAMS)
            assert response.status_code < 500, (persona, url, response.status_code)
            if response.status_code == 405:  # a POST-only route
                continue
            counts[f"{persona} {route}"] = len(ctx.captured_queries)
    return counts


def settle_similar_index(monkeypatch) -> None:
    """The similar-appeal index reloads new rows on a wall-clock interval; load them now and hold it, so a
    count never depends on how long the walk took."""
    monkeypatch.setattr(similar, "REFRESH_SECONDS", float("inf"))
    similar.index().refresh(force=True)


def test_query_counts_are_pinned_and_flat(world, clock, monkeypatch):
    sample = Sample(world)
    grow(world, 1)
    urls = routes(sample)
    assert len(urls) > 40, "the route walk found too few routes"
    clients = {}
    for persona, user in personas(world).items():
        if persona == "sysadmin":  # Django's admin is not walked; the sysadmin sees nothing else
            continue
        client = Client()
        client.force_login(user)
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {world.token(user)}"
        client.get("/api/me")  # the token's first use is recorded once (a write, outside the counts)
        clients[persona] = client

    settle_similar_index(monkeypatch)
    small = measure(clients, urls)
    grow(world, 3)
    settle_similar_index(monkeypatch)
    large = measure(clients, urls)

    grew = [
        f"{key}: {small[key]} -> {large[key]} queries" for key in sorted(large) if large[key] > small[key]
    ]
    assert not grew, "query count grows with the data (N+1):\n" + "\n".join(grew)

    vendor = connection.vendor
    stored = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
    if UPDATE:
        stored[vendor] = dict(sorted(large.items()))
        BASELINE.write_text(json.dumps(stored, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    baseline = stored.get(vendor, {})
    missing = sorted(set(large) - set(baseline))
    assert not missing, "not in tests/query_counts.json (QINQING_UPDATE_QUERY_COUNTS=1):\n" + "\n".join(
        missing
    )
    over = [
        f"{key}: {large[key]} queries, baseline {baseline[key]}"
        for key in sorted(large)
        if large[key] > baseline[key]
    ]
    assert not over, "more queries than tests/query_counts.json allows:\n" + "\n".join(over)
