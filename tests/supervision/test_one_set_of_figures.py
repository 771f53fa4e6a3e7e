"""One set of figures: for the same region and period the dashboard (from its summaries), the department
evaluation (page and Excel), the weekly report (page and Excel) and the live definitions give the same 按期办结率,
满意率 and 解决率, and every figure drills down to a list holding exactly the appeals it counts."""

import html
import io
import re
from urllib.parse import urlparse

import pytest
from django.test import Client
from openpyxl import load_workbook

from qinqing.appeals import measures, services
from qinqing.appeals.models import Appeal
from qinqing.dashboard import rollup
from qinqing.dashboard.tasks import refresh_rollup
from qinqing.organisation.models import Region
from qinqing.supervision.evaluation import evaluate
from tests.conftest import at
from tests.worker import run_periodic

pytestmark = pytest.mark.django_db

WEEK = ("2026-11-16", "2026-11-22")
EXPECTED = {"on_time": (3, 5, "60.0%"), "satisfaction": (2, 3, "66.7%"), "resolution": (2, 3, "66.7%")}


def build(world, clock):
    """The week of Mon 2026-11-16: three rated (满意, 基本满意, 不满意), one answered late, one overdue unanswered,
    one never signed, and one rated the week before (outside the period)."""
    clock.move_to(at(2026, 11, 10, 10, 0))
    world.closed()  # rated on Nov 10: not in the week
    clock.move_to(at(2026, 11, 16, 10, 0))
    for satisfaction in ("satisfied", "basic", "dissatisfied"):
        world.closed(satisfaction=satisfaction)
    late = world.submit(title="用地", content="用地指标")
    services.assign_appeal(appeal=late, by=world.dispatcher, lead=world.land, handle_days=1)
    services.sign_appeal(appeal=late, by=world.handler_land)
    overdue = world.submit(title="用地二", content="用地指标二")
    services.assign_appeal(appeal=overdue, by=world.dispatcher, lead=world.land, handle_days=1)
    power = world.submit(title="停电", content="厂区停电", category=world.power_cat)
    services.assign_appeal(appeal=power, by=world.dispatcher, lead=world.power)
    clock.move_to(at(2026, 11, 19, 10, 0))  # land's one working day (Nov 17) is over
    services.reply_to_appeal(appeal=late, by=world.handler_land, measures="协调", result="已落实")
    clock.move_to(at(2026, 11, 23, 10, 0))  # the Monday after: the week has ended
    run_periodic(refresh_rollup)


def _banner_count(client, url) -> tuple[str, int]:
    parsed = urlparse(url)
    page = html.unescape(client.get(parsed.path + "?" + parsed.query).content.decode())
    banner = re.search(r'<p class="notice" id="measure-filter">(.*?)<a', page, re.S)
    assert banner, url
    return banner.group(1).strip(), int(re.search(r"共 (\d+) 件", banner.group(1)).group(1))


def test_dashboard_evaluation_weekly_and_exports_agree(world, clock):
    build(world, clock)
    start, end = at(2026, 11, 16).date(), at(2026, 11, 22).date()
    period = measures.Period(start, end)
    live = measures.count(Appeal.objects.all(), period, measures.HEADLINE)
    region_ids = list(Region.objects.within(world.city).values_list("id", flat=True))
    assert rollup.measure_counts(region_ids, period) == live  # the summaries hold the definitions
    assert {k: tuple(v) for k, v in live.items()} == {k: e[:2] for k, e in EXPECTED.items()}

    token = world.token(world.dispatcher)
    office = Client()
    office.force_login(world.dispatcher)

    dashboard = Client().get(
        "/api/dashboard/", {"start": WEEK[0], "end": WEEK[1]}, headers={"Authorization": f"Bearer {token}"}
    )
    head = {k["key"]: k for k in dashboard.json()["headline"]}
    dashboard_page = office.get("/dashboard/", {"start": WEEK[0], "end": WEEK[1]}).content.decode()

    evaluation_page = office.get(
        "/supervision/evaluation/", {"period": "week", "date": WEEK[0]}
    ).content.decode()
    total_row = re.search(r'id="evaluation-total">(.*?)</tr>', evaluation_page, re.S).group(1)
    export = office.get("/supervision/evaluation/export/", {"period": "week", "date": WEEK[0]})
    sheet = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    headers, total = sheet[0], sheet[-1]
    assert total[0] == "合计"

    weekly_page = office.get("/supervision/weekly/", {"week": WEEK[0]}).content.decode()
    weekly_book = load_workbook(
        io.BytesIO(office.get("/supervision/weekly/export/", {"week": WEEK[0]}).content)
    )
    summary = list(weekly_book["概况"].iter_rows(values_only=True))

    for key, (num, den, display) in EXPECTED.items():
        label = measures.MEASURES[key].label
        assert (head[key]["num"], head[key]["den"], head[key]["display"]) == (num, den, display), key
        assert re.search(rf'id="kpi-{key}".*?<b>{re.escape(display)}</b>', dashboard_page, re.S), key
        cell = re.search(rf'class="measure m-{key}">(.*?)</td>', total_row, re.S).group(1)
        assert display in cell and f">{num}</a>/<a" in cell and f">{den}</a>" in cell, key
        assert total[headers.index(f"{label}（%）")] == float(display[:-1]), key
        assert re.search(rf'id="weekly-{key}".*?<b>{re.escape(display)}</b>', weekly_page, re.S), key
        assert summary[1][summary[0].index(f"{label}（%）")] == float(display[:-1]), key

        # Drill-down: the list behind each side holds exactly the appeals counted, and says so.
        for side, expected in ((measures.NUM, num), (measures.DEN, den)):
            text, count = _banner_count(office, head[key][f"{side}_url"])
            assert count == expected, (key, side)
            assert text.startswith(f"{label} {measures.SIDES[side]}：") and "青川市" in text
        assert "2026-11-16至2026-11-22" in text

    # The department figures of the evaluation drill down to their own appeals, and add up to the total.
    rows = evaluate(world.city, start, end)
    for r in rows:
        for key in ("sign", "on_time", "satisfaction", "return", "extension", "reopen"):
            for side, expected in ((measures.NUM, r.num(key)), (measures.DEN, r.den(key))):
                url = measures.drill_url(key, side, start, end, lead=r.department.pk)
                assert _banner_count(office, url)[1] == expected, (r.department.name, key, side)
    for key in measures.HEADLINE:
        assert [sum(r.num(key) for r in rows), sum(r.den(key) for r in rows)] == live[key]


def test_a_month_reads_the_same_on_the_dashboard_and_the_evaluation(world, clock):
    build(world, clock)
    clock.move_to(at(2026, 12, 1, 10, 0))
    run_periodic(refresh_rollup)
    office = Client()
    office.force_login(world.dispatcher)
    head = {
        k["key"]: k
        for k in Client()
        .get(
            "/api/dashboard/",
            {"start": "2026-11-01", "end": "2026-11-30"},
            headers={"Authorization": f"Bearer {world.token(world.dispatcher)}"},
        )
        .json()["headline"]
    }
    export = office.get("/supervision/evaluation/export/", {"period": "month", "date": "2026-11-05"})
    sheet = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    for key in measures.HEADLINE:
        label = measures.MEASURES[key].label
        value = sheet[-1][sheet[0].index(f"{label}（%）")]
        assert head[key]["display"] == f"{value:.1f}%", key
    # November: the rating of Nov 10 counts too (4 rated, 3 satisfied or basic).
    assert (head["satisfaction"]["num"], head["satisfaction"]["den"]) == (3, 4)


def test_the_summaries_follow_an_upheld_contest_and_a_passing_deadline(world, clock):
    """The due part of 按期办结率 counts once the deadline's day is over, on the summaries as live; an upheld
    rating contest leaves 满意率 after the next refresh."""
    from qinqing.supervision import services as supervision

    world.closed(satisfaction="dissatisfied")
    open_one = world.submit(title="用地", content="用地指标")
    services.assign_appeal(appeal=open_one, by=world.dispatcher, lead=world.land, handle_days=1)
    run_periodic(refresh_rollup)
    region_ids = list(Region.objects.within(world.city).values_list("id", flat=True))

    def both():
        p = measures.Period(at(2026, 11, 1).date(), at(2026, 11, 30).date())
        return rollup.measure_counts(region_ids, p), measures.count(
            Appeal.objects.all(), p, measures.HEADLINE
        )

    summary, live = both()
    assert summary == live and live["on_time"] == [1, 1]
    clock.move_to(at(2026, 11, 17, 23, 0))  # the deadline's day is not over yet
    summary, live = both()
    assert summary == live and live["on_time"] == [1, 1]
    clock.move_to(at(2026, 11, 18, 9, 0))
    summary, live = both()
    assert summary == live and live["on_time"] == [1, 2]

    rated = Appeal.objects.get(status="closed")
    contest = supervision.contest_rating(appeal=rated, by=world.handler_hr, reason="企业评价与事实不符")
    supervision.decide_contest(contest=contest, by=world.dispatcher, uphold=True, note="核实成立")
    run_periodic(refresh_rollup)
    summary, live = both()
    assert summary == live and live["satisfaction"] == [0, 0]
