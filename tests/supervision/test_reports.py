"""每周督办 and 红黑榜: figures, export, frozen snapshot, public page, permissions."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from qinqing.appeals import services
from qinqing.supervision import honours
from qinqing.supervision.models import HonourList
from qinqing.supervision.weekly import report
from tests.conftest import at

pytestmark = pytest.mark.django_db


def test_weekly_report_counts_lights_and_overdue_days(world, clock):
    done = world.closed()
    late = world.submit(title="用地", content="用地指标")
    services.assign_appeal(appeal=late, by=world.dispatcher, lead=world.land, handle_days=1)
    services.sign_appeal(appeal=late, by=world.handler_land)
    world.in_progress()  # hr, 10 working days: green
    clock.move_to(at(2026, 11, 20, 18, 0))  # Friday: land's deadline (Tue 17th) passed 3 working days ago
    r = report(world.city, at(2026, 11, 18).date())
    assert (r["start"].isoformat(), r["end"].isoformat()) == ("2026-11-16", "2026-11-22")
    assert r["new"] == 3 and r["closed"] == 1
    depts = dict(r["departments"])
    assert depts["市自然资源局"]["red"] == 1 and depts["市人社局"]["green"] == 1
    assert [(o["appeal"].number, o["days_overdue"]) for o in r["overdue"]] == [(late.number, 3)]
    assert done.number not in [o["appeal"].number for o in r["overdue"]]

    client = Client()
    client.force_login(world.dispatcher)
    assert (
        "本周新收 <b>3</b> 件" in client.get("/supervision/weekly/", {"week": "2026-11-18"}).content.decode()
    )
    wb = load_workbook(io.BytesIO(client.get("/supervision/weekly/export/", {"week": "2026-11-18"}).content))
    assert wb.sheetnames == ["概况", "在办分布", "超期事项", "督办"]
    assert [c.value for c in wb["超期事项"][2]][0] == late.number and wb["超期事项"].cell(2, 6).value == 3
    handler = Client()
    handler.force_login(world.handler_hr)
    assert handler.get("/supervision/weekly/").status_code == 404


def test_published_list_is_frozen_and_public(world, clock):
    for _ in range(3):
        world.closed()
    for _ in range(3):
        a = world.submit(title="用地", content="用地指标")
        services.assign_appeal(appeal=a, by=world.dispatcher, lead=world.land, handle_days=1)
    clock.move_to(at(2026, 11, 25, 10, 0))
    month = at(2026, 11, 1).date()
    preview = honours.preview(world.city, month)
    assert [r["department"] for r in preview["red"]] == ["市人社局"]
    assert [r["department"] for r in preview["black"]] == ["市自然资源局"]
    published = honours.publish(by=world.dispatcher, month=month)
    frozen = (published.red, published.black)

    # Later changes do not alter the published list.
    for _ in range(4):
        world.closed(satisfaction="dissatisfied")
    published.refresh_from_db()
    assert (published.red, published.black) == frozen
    assert (
        honours.preview(world.city, month)["red"][0]["satisfaction_rate"] != frozen[0][0]["satisfaction_rate"]
    )
    with pytest.raises(Exception, match="已发布"):
        honours.publish(by=world.dispatcher, month=month)
    with pytest.raises(Exception, match="调度员"):
        honours.publish(by=world.handler_hr, month=month)

    anonymous = Client()
    page = anonymous.get(f"/public/honours/{published.pk}/")
    assert page.status_code == 200 and "市人社局" in page.content.decode() and "黑榜" in page.content.decode()
    assert anonymous.get("/public/honours/").status_code == 200
    assert HonourList.objects.count() == 1
