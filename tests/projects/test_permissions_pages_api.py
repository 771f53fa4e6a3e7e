"""Who sees which project (a district office only its districts; a department only projects where it approves
something; the officer his; the enterprise its own, read-only), the pages and the API agreeing, the Excel export,
四个一批, the dashboard summary, and the Haicang-style comparison of a project's whole approval with its baseline."""

import datetime as dt
import io

import chinese_calendar
import pytest
from django.contrib.messages import get_messages
from openpyxl import load_workbook

from qinqing.appeals.models import Category
from qinqing.projects import selectors
from qinqing.projects.models import ProjectAppeal, Stage, StepKind
from tests.projects.conftest import api, client_for

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def two(world, clock, pj):
    east = pj.walk(pj.project(), {"sign": D(2026, 3, 2), "land": D(2026, 5, 6), "start": D(2026, 7, 1)})
    pj.step(east, StepKind.LAND_PLANNING, world.land, D(2026, 3, 10), 8)
    west = pj.project(
        name="西江冷链物流中心", region=world.west, enterprise=world.ent_b, officer=None, leader=None
    )
    return east, west


def test_a_district_office_sees_only_its_districts(world, two):
    east, west = two
    assert set(selectors.projects_visible_to(world.dispatcher_east)) == {east}
    assert set(selectors.projects_visible_to(world.dispatcher)) == {east, west}
    c = client_for(world.dispatcher_east)
    assert c.get(f"/projects/{east.pk}/").status_code == 200
    assert c.get(f"/projects/{west.pk}/").status_code == 404
    assert api(world, world.dispatcher_east, "get", f"/{west.pk}").status_code == 404
    assert api(world, world.dispatcher_east, "get", "").json()["count"] == 1
    # Filtering on a region outside one's own finds nothing more.
    assert api(world, world.dispatcher_east, "get", "", {"region": world.west.pk}).json()["count"] == 0


@pytest.mark.parametrize(
    ("who", "sees_east", "sees_west"),
    [
        ("leader", True, True),
        ("handler_land", True, False),  # approves a step of the east project
        ("handler_power", False, False),
        ("ent_user_a", True, False),  # the investor of the east project
        ("ent_user_b", False, True),
        ("sysadmin", False, False),
        ("auditor", False, False),
    ],
)
def test_who_sees_what(world, two, who, sees_east, sees_west):
    east, west = two
    user = getattr(world, who)
    for project, sees in ((east, sees_east), (west, sees_west)):
        assert (api(world, user, "get", f"/{project.pk}").status_code == 200) is sees
        page = client_for(user).get(f"/projects/{project.pk}/")
        assert page.status_code == (200 if sees else 404)


def test_the_officer_sees_his_projects_and_the_enterprise_reads_only(world, two, pj):
    east, west = two
    assert set(selectors.projects_visible_to(pj.officer)) == {east}
    assert set(selectors.projects_visible_to(pj.other_officer)) == set()
    body = api(world, world.ent_user_a, "get", f"/{east.pk}").json()
    assert body["actions"] == ["raise_problem"]
    assert all(s["actions"] == [] for s in body["steps"])
    r = api(world, world.ent_user_a, "post", f"/{east.pk}/stage/build", {})
    assert r.status_code == 403 and "无权" in r.json()["message"]


def test_list_page_filters_totals_and_export(world, two):
    east, west = two
    c = client_for(world.dispatcher)
    page = c.get("/projects/", {"stage": "started"})
    assert page.status_code == 200
    html = page.content.decode()
    assert east.name in html and west.name not in html
    # 签约 2026-03-02 → 开工 2026-07-01, counted here straight from chinesecalendar (清明, 劳动节, 端午 off).
    expected = sum(chinese_calendar.is_workday(D(2026, 3, 3) + dt.timedelta(days=i)) for i in range(121))
    assert f"中位数 {expected} 个工作日" in html
    r = c.get("/projects/export/", {"stage": "started"})
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    headers = rows[0]
    assert len(rows) == 2 and rows[1][headers.index("项目名称")] == east.name
    assert rows[1][headers.index("签约→开工（工作日）")] == expected
    assert rows[1][headers.index("全流程审批用时（工作日）")] == 8


def test_moves_through_both_doors_agree(world, two):
    east, _ = two
    bad = {"on": "2026-11-30"}
    page = client_for(world.dispatcher).post(f"/projects/{east.pk}/build/", bad)
    shown = " ".join(str(m) for m in get_messages(page.wsgi_request))
    answer = api(world, world.dispatcher, "post", f"/{east.pk}/stage/build", bad)
    assert answer.status_code == 400 and answer.json()["errors"]["on"][0] in shown
    r = api(world, world.dispatcher, "post", f"/{east.pk}/stage/build", {"on": "2026-11-02"})
    assert r.status_code == 200 and r.json()["stage"] == "building"
    # The page's move of the next stage: 竣工 needs 建设 first, so 投产 is refused with a 409 reason.
    page = client_for(world.dispatcher).post(f"/projects/{east.pk}/produce/", {})
    assert "不能投产" in " ".join(str(m) for m in get_messages(page.wsgi_request))
    assert api(world, world.dispatcher, "post", f"/{east.pk}/stage/produce", {}).status_code == 409
    assert api(world, world.dispatcher, "post", f"/{east.pk}/stage/fly", {}).status_code == 404
    assert api(world, world.handler_land, "post", f"/{east.pk}/stage/complete", {}).status_code == 403


def test_a_department_reports_its_step_through_the_api(world, clock, pj):
    project = pj.project()
    step = pj.step(project, StepKind.LAND_PLANNING, world.land)
    r = api(world, world.handler_land, "post", f"/{project.pk}/steps/{step.pk}/submit", {"on": "2026-09-30"})
    assert r.status_code == 200
    r = api(world, world.handler_land, "post", f"/{project.pk}/steps/{step.pk}/approve", {"on": "2026-10-09"})
    body = r.json()
    assert body["steps"][0]["working_days"] == 2  # 国庆 2026: Oct 8 and 9 (the Saturday Oct 10 not reached)
    assert (
        api(
            world,
            world.handler_land,
            "post",
            f"/{project.pk}/steps",
            {"kind": "other", "department_id": world.land.pk},
        ).status_code
        == 403
    )
    r = api(world, world.dispatcher, "post", f"/{project.pk}/steps/{step.pk}/approve", {"on": 20261009})
    assert r.status_code == 422 and r.json()["errors"]["on"] == ["日期格式应为 YYYY-MM-DD"]


def test_creating_a_project_through_the_api(world, clock, pj):
    data = {
        "name": "白沙新材料项目",
        "enterprise_id": world.ent_a.pk,
        "amount": 120000,
        "industry": "C",
        "region_id": world.east.pk,
        "officer_id": pj.officer.pk,
    }
    r = api(world, world.dispatcher_east, "post", "", data)
    assert r.status_code == 201 and r.json()["stage"] == "negotiating"
    r = api(world, world.dispatcher_east, "post", "", data | {"region_id": world.west.pk})
    assert r.status_code == 400 and r.json()["errors"] == {"region_id": ["该区划不在您的管辖范围内"]}
    assert api(world, world.leader, "post", "", data).status_code == 403
    assert api(world, world.dispatcher, "post", "", data | {"amount": 0}).status_code == 422
    page = client_for(world.dispatcher).get("/projects/new/")
    assert page.status_code == 200 and "投资企业" in page.content.decode()
    assert client_for(world.leader).get("/projects/new/").status_code == 404


def test_problems_become_appeals_linked_to_the_project(world, two, pj):
    east, _ = two
    category = Category.objects.get(code="land")
    data = {
        "title": "用地指标调整",
        "content": "二期用地规划条件需调整，请协调。",
        "category_id": category.pk,
    }
    r = api(world, pj.officer, "post", f"/{east.pk}/problems", data)
    assert r.status_code == 201
    page = client_for(world.dispatcher).post(
        f"/projects/{east.pk}/problem/", data | {"title": "施工许可并联审批"}
    )
    assert page.status_code == 302
    api(world, world.ent_user_a, "post", f"/{east.pk}/problems", data | {"title": "企业自报问题"})
    links = ProjectAppeal.objects.filter(project=east).select_related("appeal")
    assert {link.appeal.enterprise_id for link in links} == {world.ent_a.pk}
    assert {link.appeal.channel for link in links} == {"chief_officer", "online"}
    assert len(links) == 3
    html = client_for(world.dispatcher).get(f"/projects/{east.pk}/").content.decode()
    assert "用地指标调整" in html and "施工许可并联审批" in html
    assert api(world, world.handler_land, "post", f"/{east.pk}/problems", data).status_code == 403
    # The land bureau sees the project but only the appeals the appeals selector lets it see (none assigned yet).
    assert api(world, world.handler_land, "get", f"/{east.pk}").json()["appeals"] == []


def test_four_batches_and_the_dashboard_summary(world, two, pj):
    east, west = two
    pj.walk(west, {"sign": D(2026, 8, 3)})
    figures = {
        b["batch"]: b
        for b in api(
            world, world.dispatcher, "get", "/batches", {"period": "year", "date": "2026-06-01"}
        ).json()["batches"]
    }
    assert figures["signed"]["count"] == 2 and figures["signed"]["amount"] == 100000
    assert (
        figures["listed"]["count"] == 1
        and figures["started"]["count"] == 1
        and figures["producing"]["count"] == 0
    )
    drill = client_for(world.dispatcher).get(figures["signed"]["url"]).content.decode()
    assert east.name in drill and west.name in drill
    page = client_for(world.dispatcher).get("/projects/batches/", {"period": "quarter", "date": "2026-08-10"})
    assert page.status_code == 200
    summary = selectors.stage_summary(world.dispatcher_east)
    assert summary["total"] == 1
    started = next(s for s in summary["stages"] if s["stage"] == Stage.STARTED)
    assert started["count"] == 1 and started["median_approval_days"] == 8
    assert started["url"] == "/projects/?stage=started"
    assert summary["flags"]["open"] == 0 and summary["flags"]["url"] == "/projects/?flag=any"
    assert api(world, world.dispatcher, "get", "/summary").json()["total"] == 2


def test_haicang_224_then_64_working_days(world, clock, pj):
    """A project's approval taking 224 working days one year and its expansion 64 the next: both figures and the
    reduction on the project page, in the export and in the API."""
    first = pj.project(name="海沧扩产项目（一期）", since=D(2024, 1, 2))
    day = D(2025, 1, 6)
    for kind, days in (
        (StepKind.APPROVAL, 24),
        (StepKind.LAND_PLANNING, 60),
        (StepKind.ENGINEERING_PLANNING, 40),
        (StepKind.CONSTRUCTION, 60),
        (StepKind.COMPLETION, 40),
    ):
        day = pj.step(first, kind, pj.housing, day, days).approved_on  # one after the other
    second = pj.project(name="海沧扩产项目（二期）", baseline=first, since=D(2026, 1, 5))
    day = pj.step(second, StepKind.APPROVAL, pj.housing, D(2026, 2, 2), 4).approved_on
    pj.step(second, StepKind.LAND_PLANNING, world.land, day, 20)
    day = pj.step(second, StepKind.CONSTRUCTION, pj.housing, day, 20).approved_on  # in parallel: counted once
    pj.step(second, StepKind.COMPLETION, pj.housing, day, 40)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.approval_days, second.approval_days) == (224, 64)
    html = client_for(world.dispatcher).get(f"/projects/{second.pk}/").content.decode()
    assert "224 个工作日；本项目：64 个工作日；压缩 160 个工作日（71.4%）" in html
    body = api(world, world.dispatcher, "get", f"/{second.pk}").json()
    assert body["comparison"] == {
        "baseline_id": first.pk,
        "baseline": first.name,
        "baseline_days": 224,
        "days": 64,
        "saved_days": 160,
        "percent": 71.4,
    }
    r = client_for(world.dispatcher).get("/projects/export/", {"q": "海沧"})
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    h = rows[0]
    line = next(r for r in rows[1:] if r[h.index("项目名称")] == second.name)
    assert line[h.index("全流程审批用时（工作日）")] == 64
    assert line[h.index("对照项目审批用时（工作日）")] == 224
    assert line[h.index("压缩（工作日）")] == 160
    assert "超出 104 个工作日" in client_for(world.dispatcher).get(f"/projects/{first.pk}/").content.decode()
