"""The dashboard reproduces a seed's figures (16 theme days: 95 collected, 92 with measures, 82 resolved), every
figure drills down to exactly its rows, the export holds them, and only the office of the region sees it."""

import datetime as dt
import io
import json
from urllib.parse import urlparse

import pytest
from django.test import Client
from openpyxl import load_workbook

from qinqing.appeals import services
from qinqing.dashboard.tasks import refresh_rollup
from tests.conftest import at
from tests.worker import run_periodic

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed_series(world, clock):
    """95 appeals raised at 16 Monday-evening theme days from Jun 1 2026: 92 answered, 82 resolved."""
    first_monday = dt.date(2026, 6, 1)
    made = 0
    for week in range(16):
        day = first_monday + dt.timedelta(weeks=week)
        clock.move_to(at(day.year, day.month, day.day, 21, 0))
        for _ in range(6 if week < 15 else 5):
            enterprise_user = world.ent_user_a if made % 2 else world.ent_user_b
            a, _ = services.submit_appeal(
                by=world.dispatcher,
                enterprise=enterprise_user.enterprise,
                title=f"主题日问题{made}",
                content="企业反映的问题",
                category=world.labour,
                channel="theme_day",
            )
            a = services.assign_appeal(appeal=a, by=world.dispatcher, lead=world.hr)
            if made < 92:
                a = services.sign_appeal(appeal=a, by=world.handler_hr)
                a = services.reply_to_appeal(
                    appeal=a, by=world.handler_hr, measures="协调解决", result="已落实"
                )
                resolved = made < 82
                services.rate_appeal(
                    appeal=a,
                    by=enterprise_user,
                    satisfaction="satisfied" if resolved else "dissatisfied",
                    resolved=resolved,
                    comment="" if resolved else "问题仍未解决",
                )
            made += 1
    assert made == 95
    clock.move_to(at(2026, 9, 30, 10, 0))
    run_periodic(refresh_rollup)


def dashboard(world, user, **params):
    return Client().get(
        "/api/dashboard/",
        {"start": "2026-06-01", "end": "2026-09-30", **params},
        headers={"Authorization": f"Bearer {world.token(user)}"},
    )


def test_funnel_reproduces_the_seed_and_drills_down_to_the_same_rows(world, seed_series):
    body = dashboard(world, world.dispatcher).json()
    funnel = {f["label"]: f for f in body["funnel"]}
    assert [f["value"] for f in body["funnel"]] == [95, 92, 82]
    assert funnel["落实措施"]["rate"] == round(92 / 95, 4) and funnel["解决问题"]["rate"] == round(82 / 95, 4)
    head = {k["key"]: k for k in body["headline"]}
    assert head["collected"]["value"] == 95 and head["closed"]["value"] == 92
    assert head["satisfaction"]["display"] == "89.1%" and (
        head["satisfaction"]["num"],
        head["satisfaction"]["den"],
    ) == (82, 92)
    assert head["resolution"]["display"] == "89.1%"
    # The last theme day's 3 unanswered appeals fell due on Sep 28 (10 working days): in the denominator.
    assert (head["on_time"]["num"], head["on_time"]["den"]) == (92, 95)
    assert {c["label"]: c["value"] for c in body["by_channel"]} == {"政企交流主题日": 95}
    assert sum(t["value"] for t in body["trend"]) == 95 and len(body["trend"]) == 16

    office = Client()
    office.force_login(world.dispatcher)
    for f, expected in zip(body["funnel"], (95, 92, 82), strict=True):
        url = urlparse(f["url"])
        export = office.get(f"/appeals/export/?{url.query}")
        rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(min_row=2, values_only=True))
        assert len(rows) == expected, f["label"]
        page = office.get(f"{url.path}?{url.query}").content.decode()
        assert f"共 {expected} 件" in page or f">{expected}<" in page or str(expected) in page
    for segment in body["by_region"] + body["by_department"] + body["by_category"]:
        export = office.get(f"/appeals/export/?{urlparse(segment['url']).query}")
        rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(min_row=2, values_only=True))
        assert len(rows) == segment["value"], segment["label"]


def test_dashboard_is_region_scoped_and_office_only(world, seed_series):
    east = dashboard(world, world.dispatcher_east).json()
    west = dashboard(world, world.dispatcher_west).json()
    assert east["funnel"][0]["value"] + west["funnel"][0]["value"] == 95
    assert east["funnel"][0]["value"] == 47  # ent_a (东城) raised the odd-numbered ones
    assert dashboard(world, world.ent_user_a).status_code == 403
    assert dashboard(world, world.handler_hr).status_code == 403
    bad = dashboard(world, world.dispatcher, start="2026-10-01", end="2026-09-01")
    assert bad.status_code == 400 and "开始日期" in bad.json()["message"]
    page = Client()
    page.force_login(world.leader)
    html = page.get("/dashboard/", {"start": "2026-06-01", "end": "2026-09-30"}).content.decode()
    assert 'id="kpi-collected"' in html and "<b>95</b>" in html
    assert (
        json.loads(html.split('id="data-funnel" type="application/json">')[1].split("</script>")[0])[2][
            "value"
        ]
        == 82
    )
    denied = Client()
    denied.force_login(world.handler_hr)
    assert denied.get("/dashboard/").status_code == 404


def test_figures_follow_later_changes_once_the_worker_refreshes_them(world, clock):
    world.closed()
    before = dashboard(world, world.dispatcher, start="2026-11-01", end="2026-11-30").json()
    assert before["as_of"] is None and [f["value"] for f in before["funnel"]] == [0, 0, 0]  # GETs only read
    run_periodic(refresh_rollup)
    first = dashboard(world, world.dispatcher, start="2026-11-01", end="2026-11-30").json()
    assert [f["value"] for f in first["funnel"]] == [1, 1, 1] and first["as_of"].startswith("2026-11-16")
    clock.move_to(at(2026, 11, 17, 9, 0))
    world.in_progress()  # one more collected, not answered
    replied = world.replied()
    clock.move_to(at(2026, 11, 17, 9, 5))
    services.rate_appeal(
        appeal=replied, by=world.ent_user_a, satisfaction="dissatisfied", resolved=False, comment="未解决"
    )
    stale = dashboard(world, world.dispatcher, start="2026-11-01", end="2026-11-30").json()
    assert [f["value"] for f in stale["funnel"]] == [1, 1, 1]
    run_periodic(refresh_rollup)
    again = dashboard(world, world.dispatcher, start="2026-11-01", end="2026-11-30").json()
    assert [f["value"] for f in again["funnel"]] == [3, 2, 1]
