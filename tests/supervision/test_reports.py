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
    for _ in range(5):
        world.closed()
    for _ in range(5):
        a = world.submit(title="用地", content="用地指标")
        services.assign_appeal(appeal=a, by=world.dispatcher, lead=world.land, handle_days=1)
    clock.move_to(at(2026, 11, 25, 10, 0))
    month = at(2026, 11, 1).date()
    running = honours.preview(world.city, month)
    assert not running["finished"] and running["red"] == running["black"] == []
    with pytest.raises(Exception, match="尚未结束"):
        honours.publish(by=world.dispatcher, month=month)

    clock.move_to(at(2026, 12, 1, 10, 0))
    preview = honours.preview(world.city, month)
    assert [r["department"] for r in preview["red"]] == ["市人社局"]
    assert [r["department"] for r in preview["black"]] == ["市自然资源局"]
    published = honours.publish(by=world.dispatcher, month=month)
    frozen = (published.red, published.black)

    # Later changes do not alter the published list.
    clock.move_to(at(2026, 11, 30, 10, 0))
    for _ in range(4):
        world.closed(satisfaction="dissatisfied")
    clock.move_to(at(2026, 12, 1, 11, 0))
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


def test_ranking_needs_a_finished_period_and_enough_appeals(world, clock, settings):
    """Below the minimum a department is 样本不足 and never ranked; one with nothing to judge is never first;
    while the period runs nobody is ranked; publishing takes a confirmation step."""
    from qinqing.supervision.evaluation import evaluate

    settings.QINQING_RANKING_MIN_APPEALS = 3
    for _ in range(3):
        world.closed()
    p = world.submit(title="停电", content="厂区停电", category=world.power_cat)
    services.assign_appeal(appeal=p, by=world.dispatcher, lead=world.power)  # one appeal only
    # A department whose only appeal came and went (withdrawn before it was due): nothing to judge.
    gone = world.submit(title="用地", content="用地指标")
    gone = services.assign_appeal(appeal=gone, by=world.dispatcher, lead=world.land)
    services.withdraw_appeal(appeal=gone, by=world.ent_user_a, reason="已自行解决")
    nov = (at(2026, 11, 1).date(), at(2026, 11, 30).date())

    rows = evaluate(world.city, *nov)  # 2026-11-16: November runs
    assert all(r.rank is None for r in rows)
    assert {r.department.name: r.unranked_reason for r in rows}["市人社局"] == "本期未结束"

    clock.move_to(at(2026, 12, 2, 10, 0))
    rows = evaluate(world.city, *nov)
    by_name = {r.department.name: r for r in rows}
    assert by_name["市人社局"].rank == 1
    assert by_name["供电公司"].rank is None and by_name["供电公司"].unranked_reason == "样本不足"
    assert rows[0].department.name == "市人社局"
    assert rows[-1].department.name == "市自然资源局" and by_name["市自然资源局"].rank is None

    client = Client()
    client.force_login(world.dispatcher)
    page = client.get("/supervision/evaluation/", {"period": "month", "date": "2026-11-05"}).content.decode()
    assert "样本不足" in page
    # Publishing: the page offers a confirmation step showing the lists; a bare POST publishes nothing.
    honours_page = client.get("/supervision/honours/", {"month": "2026-11"}).content.decode()
    assert 'id="start-publish"' in honours_page and 'id="form-publish"' not in honours_page
    confirm = client.get("/supervision/honours/", {"month": "2026-11", "confirm": "1"}).content.decode()
    assert 'id="honours-confirm"' in confirm and "data-confirm=" in confirm and "市人社局" in confirm
    bare = client.post("/supervision/honours/", {"month": "2026-11-01"})
    assert bare.status_code == 302 and "confirm=1" in bare["Location"] and HonourList.objects.count() == 0
    done = client.post("/supervision/honours/", {"month": "2026-11-01", "confirmed": "1"})
    assert done.status_code == 302 and HonourList.objects.count() == 1
    # The running month cannot be published through the page either.
    running = client.get("/supervision/honours/", {"month": "2026-12"}).content.decode()
    assert 'id="honours-unfinished"' in running and 'id="start-publish"' not in running
    client.post("/supervision/honours/", {"month": "2026-12-01", "confirmed": "1"})
    assert HonourList.objects.count() == 1
