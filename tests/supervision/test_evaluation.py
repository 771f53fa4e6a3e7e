"""Department grades and rates on hand-built cases, the page, the API and the Excel exports."""

import io
import json

import pytest
from django.test import Client
from openpyxl import load_workbook

from qinqing.appeals import services
from qinqing.core.excel import safe
from qinqing.supervision.evaluation import Grade, evaluate
from tests.conftest import at

pytestmark = pytest.mark.django_db


def build(world, clock):
    """hr: two appeals replied on time and rated; power: one open within deadline; land: one overdue."""
    for satisfaction in ("satisfied", "dissatisfied"):
        world.closed(satisfaction=satisfaction)
    p = world.submit(title="停电", content="厂区停电", category=world.power_cat)
    services.assign_appeal(appeal=p, by=world.dispatcher, lead=world.power)
    services.sign_appeal(appeal=p, by=world.handler_power)
    clock.move_to(at(2026, 11, 17, 10, 0))
    land = world.submit(title="用地", content="用地指标")
    services.assign_appeal(appeal=land, by=world.dispatcher, lead=world.land, handle_days=1)
    services.sign_appeal(appeal=land, by=world.handler_land)
    clock.move_to(at(2026, 11, 20, 10, 0))  # land's one working day has passed; power's ten have not


def test_grades_follow_the_definitions(world, clock):
    build(world, clock)
    rows = {
        r.department.name: r for r in evaluate(world.city, at(2026, 11, 1).date(), at(2026, 11, 30).date())
    }
    hr, power, land = rows["市人社局"], rows["供电公司"], rows["市自然资源局"]
    assert hr.grade == Grade.DONE and power.grade == Grade.ON_TRACK and land.grade == Grade.SLOW
    assert hr.received == 2 and hr.replied == 2 and hr.rates["on_time"] == 1.0
    assert hr.rates["resolution"] == 0.5 and hr.rates["satisfaction"] == 0.5
    assert hr.rates["sign"] == 1.0 and hr.avg_handle_days == 0
    assert (
        power.open == 1
        and power.overdue == 0
        and power.rates["sign"] == 1.0
        and power.rates["on_time"] is None
    )
    assert land.overdue == 1 and land.rates["on_time"] == 0.0
    assert list(rows)[0] == "市人社局"  # best composite score first


def test_page_api_and_export_hold_the_same_rows(world, clock):
    build(world, clock)
    client = Client()
    client.force_login(world.dispatcher)
    page = client.get("/supervision/evaluation/", {"period": "month", "date": "2026-11-20"}).content.decode()
    assert "指标口径" in page and "进展缓慢" in page and "如期推进" in page
    api = (
        Client()
        .get(
            "/api/supervision/evaluation",
            {"start": "2026-11-01", "end": "2026-11-30"},
            headers={"Authorization": f"Bearer {world.token(world.dispatcher)}"},
        )
        .json()
    )
    export = client.get("/supervision/evaluation/export/", {"period": "month", "date": "2026-11-20"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(export.content)).active
    sheet = [row for row in ws.iter_rows(min_row=2, values_only=True)]
    assert sheet[-1][0] == "合计" and sheet[-1][4] == sum(r["received"] for r in api)
    assert [(r[1], r[2], r[4]) for r in sheet[:-1]] == [
        (r["department"], r["grade"], r["received"]) for r in api
    ]
    assert ws.cell(1, 6).value == "签收及时率（%）"


def test_evaluation_is_for_the_office_only(world, clock):
    def get(user):
        return Client().get(
            "/api/supervision/evaluation",
            {"start": "2026-11-01", "end": "2026-11-30"},
            headers={"Authorization": f"Bearer {world.token(user)}"},
        )

    assert get(world.ent_user_a).status_code == 403
    assert get(world.handler_hr).status_code == 403
    bad = Client().get(
        "/api/supervision/evaluation",
        {"start": "2026-11-30", "end": "2026-11-01"},
        headers={"Authorization": f"Bearer {world.token(world.dispatcher)}"},
    )
    assert bad.status_code == 400 and "开始日期" in bad.json()["message"]
    client = Client()
    client.force_login(world.handler_hr)
    assert client.get("/supervision/evaluation/").status_code == 404


def test_formula_injection_is_neutralised():
    assert safe('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert [safe(v) for v in ("+1", "-2", "@SUM(A1)", "\tcmd", "正常文本", 5)] == [
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tcmd",
        "正常文本",
        5,
    ]


def test_appeal_list_export_holds_the_page_rows_with_real_dates(world, clock):
    world.submit(title="=cmd|' /C calc'!A0", content="恶意公式")
    for i in range(3):
        world.submit(title=f"诉求{i}", content="内容")
    world.submit(by=world.ent_user_b, title="西区的", content="别人的")
    client = Client()
    client.force_login(world.dispatcher_east)
    page = client.get("/appeals/", {"tab": "all"}).content.decode()
    response = client.get("/appeals/export/", {"tab": "all"})
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 4 and all(r[0] in page for r in rows)
    assert "西区的" not in json.dumps([r[1] for r in rows], ensure_ascii=False)
    assert any(r[1] == "'=cmd|' /C calc'!A0" for r in rows)
    assert ws.cell(1, 1).value == "编号" and ws.cell(2, 9).is_date
