"""Chief service officers: 包干 with a kept history, visits that raise appeals, what an officer may see, the
linked leader's page, and the quarterly report whose Excel file matches the page."""

import datetime as dt
import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from qinqing.appeals import services as appeal_services
from qinqing.appeals.models import Appeal
from qinqing.core.errors import InvalidInput, NotVisible
from qinqing.fieldwork import services
from qinqing.fieldwork.models import ServiceAssignment, ServiceRole, Visit
from tests.conftest import at

pytestmark = pytest.mark.django_db


def visit(field, officer, enterprise, day, issues=()):
    return services.log_visit(
        by=officer,
        enterprise=enterprise,
        visited_on=day,
        people_met="总经理",
        findings="生产正常",
        policies="稳岗返还",
        issues=[{"category": field.w.labour, "content": c} for c in issues],
    )


def test_reassigning_keeps_the_earlier_officer_on_earlier_visits_and_appeals(world, field, clock):
    field.serve(world.ent_a, field.officer, on=dt.date(2026, 1, 5))
    clock.move_to(at(2026, 3, 10, 15))
    v1, (a1,) = visit(field, field.officer, world.ent_a, dt.date(2026, 3, 10), ["缺焊工30人"])
    assert a1.channel == "chief_officer" and a1.origin.officer == field.officer and a1.origin.visit == v1

    clock.move_to(at(2026, 6, 1, 9))
    services.assign_officer(
        by=world.dispatcher,
        enterprise=world.ent_a,
        user=field.officer2,
        role=ServiceRole.CHIEF,
        on=dt.date(2026, 6, 1),
        reason="岗位调整",
    )
    old, new = ServiceAssignment.objects.filter(enterprise=world.ent_a).order_by("started_on")
    assert (old.user, old.ended_on, old.end_reason) == (field.officer, dt.date(2026, 5, 31), "岗位调整")
    assert (new.user, new.ended_on) == (field.officer2, None)

    clock.move_to(at(2026, 7, 2, 10))
    v2, (a2,) = visit(field, field.officer2, world.ent_a, dt.date(2026, 7, 2), ["用电增容"])
    assert Visit.objects.get(pk=v1.pk).officer == field.officer  # the earlier visit keeps its officer
    assert Appeal.objects.get(pk=a1.pk).origin.officer == field.officer
    assert a2.origin.officer == field.officer2

    # The enterprise page shows who served it when each appeal came in.
    office = Client()
    office.force_login(world.dispatcher)
    page = office.get(f"/fieldwork/enterprises/{world.ent_a.pk}/").content.decode()
    row1 = re.search(rf"{a1.number}.*?</tr>", page, re.S).group(0)
    row2 = re.search(rf"{a2.number}.*?</tr>", page, re.S).group(0)
    assert "首席服务官 officer_lin" in row1 and "officer_xu" not in row1
    assert "首席服务官 officer_xu" in row2 and "officer_lin" not in row2
    assert "2026-05-31" in page and "岗位调整" in page

    # The former officer may no longer log visits there, and no longer sees the enterprise's new appeals.
    with pytest.raises(NotVisible):
        visit(field, field.officer, world.ent_a, dt.date(2026, 7, 2))
    old_officer = Client()
    old_officer.force_login(field.officer)
    assert old_officer.get(f"/appeals/{a2.number}/").status_code == 404
    assert old_officer.get(f"/appeals/{a1.number}/").status_code == 200  # the one they registered
    assert old_officer.get(f"/fieldwork/enterprises/{world.ent_a.pk}/").status_code == 404
    url = f"/api/fieldwork/enterprises/{world.ent_a.pk}/assignments"
    assert (
        Client().get(url, headers={"Authorization": f"Bearer {world.token(field.officer)}"}).status_code
        == 404
    )
    history = Client().get(url, headers={"Authorization": f"Bearer {world.token(field.officer2)}"}).json()
    assert [(h["user"], h["ended_on"]) for h in history] == [
        ("officer_xu", None),
        ("officer_lin", "2026-05-31"),
    ]
    new_officer = Client()
    new_officer.force_login(field.officer2)
    assert new_officer.get(f"/appeals/{a1.number}/").status_code == 200  # the enterprise's history


def test_an_officer_sees_only_the_enterprises_they_serve(world, field, clock):
    field.serve(world.ent_a)
    other = world.submit(by=world.ent_user_b)
    own = world.submit(by=world.ent_user_a)
    c = Client()
    c.force_login(field.officer)
    assert c.get(f"/appeals/{own.number}/").status_code == 200
    assert c.get(f"/appeals/{other.number}/").status_code == 404
    listing = c.get("/appeals/?tab=all").content.decode()
    assert own.number in listing and other.number not in listing
    assert c.get(f"/fieldwork/visits/new/?enterprise={world.ent_b.pk}").status_code == 404
    token = {"Authorization": f"Bearer {world.token(field.officer)}"}
    r = Client().post(
        "/api/fieldwork/officer/appeals",
        {"enterprise_id": world.ent_b.pk, "category_id": world.labour.pk, "title": "x", "content": "y"},
        content_type="application/json",
        headers=token,
    )
    assert r.status_code == 404
    r = Client().post(
        "/api/fieldwork/officer/appeals",
        {
            "enterprise_id": world.ent_a.pk,
            "category_id": world.labour.pk,
            "title": "融资",
            "content": "贷款需求",
        },
        content_type="application/json",
        headers=token,
    )
    assert r.status_code == 201 and r.json()["channel"] == "chief_officer"
    mine = Client().get("/api/fieldwork/my/enterprises", headers=token).json()
    assert [m["enterprise_id"] for m in mine] == [world.ent_a.pk]
    # An officer cannot go through the general intake, nor act on the case.
    with pytest.raises(Exception, match="只有企业用户或营商办调度员"):
        appeal_services.submit_appeal(
            by=field.officer, enterprise=world.ent_a, title="x", content="y", category=world.labour
        )
    # A visit in the future or without findings is refused in Chinese.
    with pytest.raises(InvalidInput) as exc:
        services.log_visit(
            by=field.officer,
            enterprise=world.ent_a,
            visited_on=dt.date(2026, 12, 1),
            people_met="",
            findings="",
        )
    assert set(exc.value.errors) == {"people_met", "findings", "visited_on"}


def test_resident_specialist_and_linked_leader(world, field, clock):
    field.serve(world.ent_a, field.resident, role=ServiceRole.RESIDENT)
    services.assign_officer(
        by=world.dispatcher,
        enterprise=world.ent_a,
        user=world.leader,
        role=ServiceRole.LINKED_LEADER,
        on=dt.date(2026, 1, 5),
    )
    with pytest.raises(InvalidInput):  # a linked leader must be a leader, an officer an officer
        services.assign_officer(
            by=world.dispatcher, enterprise=world.ent_b, user=field.officer, role=ServiceRole.LINKED_LEADER
        )
    _, (a,) = visit(field, field.resident, world.ent_a, dt.date(2026, 11, 16), ["子女入学"])
    assert a.channel == "resident"
    c = Client()
    c.force_login(world.leader)
    page = c.get("/fieldwork/linked/").content.decode()
    assert world.ent_a.name in page and "驻点服务专员 resident_he" in page and world.ent_b.name not in page
    c.force_login(field.officer)
    assert c.get("/fieldwork/linked/").status_code == 404


def test_quarterly_report_page_and_excel_agree(world, field, clock):
    field.serve(world.ent_a, field.officer)
    field.serve(world.ent_b, field.officer2)
    clock.move_to(at(2026, 7, 6, 10))
    _, (a1, a2) = visit(field, field.officer, world.ent_a, dt.date(2026, 7, 6), ["缺工", "用电"])
    _, (b1,) = visit(field, field.officer2, world.ent_b, dt.date(2026, 7, 6), ["融资"])
    clock.move_to(at(2026, 7, 7, 10))
    for a, owner in ((a1, world.ent_user_a), (b1, world.ent_user_b)):
        a = appeal_services.assign_appeal(appeal=a, by=world.dispatcher, lead=world.hr)
        a = appeal_services.sign_appeal(appeal=a, by=world.handler_hr)
        a = appeal_services.reply_to_appeal(appeal=a, by=world.handler_hr, measures="协调", result="已解决")
        appeal_services.rate_appeal(
            appeal=a,
            by=owner,
            satisfaction="satisfied" if a == a1 else "dissatisfied",
            resolved=a == a1,
            comment="" if a == a1 else "未解决",
        )
    clock.move_to(at(2026, 8, 3, 16))
    visit(field, field.officer, world.ent_a, dt.date(2026, 8, 3))
    clock.move_to(at(2026, 10, 9, 10))
    visit(field, field.officer, world.ent_a, dt.date(2026, 10, 8))  # next quarter: not counted

    office = Client()
    office.force_login(world.dispatcher)
    page = office.get("/fieldwork/reports/officers/", {"date": "2026-08-01"}).content.decode()
    assert "2026年第3季度" in page
    wb = load_workbook(
        io.BytesIO(office.get("/fieldwork/reports/officers/export/", {"date": "2026-08-01"}).content)
    )
    summary = {r[0]: r for r in wb["工作季报表"].iter_rows(min_row=2, values_only=True)}
    assert summary["officer_lin"][1:9] == (2, 1, 1, 2, 1, 1, 1, 100.0)
    assert summary["officer_xu"][1:9] == (1, 1, 1, 1, 1, 1, 0, 0.0)
    assert summary["合计"][1:9] == (3, 2, 2, 3, 2, 2, 1, 50.0)
    items = list(wb["协调事项明细表"].iter_rows(min_row=2, values_only=True))
    assert [i[1] for i in items] == [a1.number, a2.number, b1.number]
    assert items[0][6] == "市人社局（主办）" and items[0][8] == "已解决" and items[1][8] == "办理中"
    # The page shows the same rows and totals.
    table = re.search(r'id="officer-report".*?</table>', page, re.S).group(0)
    cells = [re.sub(r"<.*?>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", table, re.S)]
    assert cells[cells.index("合计") : cells.index("合计") + 8] == [
        "合计",
        "3",
        "2",
        "2",
        "3",
        "2",
        "2",
        "50%",
    ]
    assert page.count("<tr><td>") - table.count("<tr><td>") == 3  # three coordination items

    # An officer sees only their own row (and the total of it); an enterprise or department sees nothing.
    own = Client()
    own.force_login(field.officer2)
    wb2 = load_workbook(
        io.BytesIO(own.get("/fieldwork/reports/officers/export/", {"date": "2026-08-01"}).content)
    )
    assert [r[0] for r in wb2["工作季报表"].iter_rows(min_row=2, values_only=True)] == ["officer_xu", "合计"]
    for user in (world.ent_user_a, world.handler_hr):
        c = Client()
        c.force_login(user)
        assert c.get("/fieldwork/reports/officers/").status_code == 404
        r = Client().get(
            "/api/fieldwork/reports/officers", headers={"Authorization": f"Bearer {world.token(user)}"}
        )
        assert r.status_code == 403
    api = Client().get(
        "/api/fieldwork/reports/officers",
        {"date": "2026-08-01"},
        headers={"Authorization": f"Bearer {world.token(world.leader)}"},
    )
    assert api.json()["officers"][-1]["appeals_raised"] == 3


def test_officer_registers_an_appeal_from_the_workspace_once(world, field, clock):
    field.serve(world.ent_a)
    c = Client()
    c.force_login(field.officer)
    form = {
        "enterprise_id": world.ent_a.pk,
        "category_id": world.labour.pk,
        "title": "融资需求",
        "content": "设备贷款500万",
        "idempotency_key": "k-1",
    }
    assert c.post("/fieldwork/officer/", form).status_code == 302
    assert c.post("/fieldwork/officer/", form).status_code == 302  # a double submit
    appeal = Appeal.objects.get()
    assert (appeal.channel, appeal.submitted_by, appeal.origin.officer) == (
        "chief_officer",
        field.officer,
        field.officer,
    )
    # Not for an enterprise the officer does not serve: not visible to them, so 404 as from the API, and nothing
    # is saved. A missing category is refused in Chinese.
    r = c.post("/fieldwork/officer/", {**form, "enterprise_id": world.ent_b.pk, "idempotency_key": "k-2"})
    assert r.status_code == 404 and Appeal.objects.count() == 1
    r = c.post("/fieldwork/officer/", {**form, "category_id": "", "idempotency_key": "k-3"}, follow=True)
    assert "类别：此项为必填项" in r.content.decode() and Appeal.objects.count() == 1
