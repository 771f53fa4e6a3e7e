"""Special supervisors: a clue is seen only by its author, the coordinating office of its region and the
discipline-inspection department (pages and API); clues have their own states; spot-check scores appear in the
department evaluation for the period; the activity report counts what each supervisor did."""

import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from qinqing.core.errors import InvalidInput, NotPermitted, NotVisible, TransitionNotAllowed
from qinqing.fieldwork import services
from qinqing.fieldwork.models import Clue
from qinqing.supervision.evaluation import evaluate
from qinqing.supervision.models import Notification

pytestmark = pytest.mark.django_db


def api(world, user, method, url, body=None):
    headers = {"Authorization": f"Bearer {world.token(user)}"}
    if method == "get":
        return Client().get(url, headers=headers)
    return Client().post(url, body or {}, content_type="application/json", headers=headers)


@pytest.fixture
def clue(world, field, clock):
    field.appoint()
    return services.submit_clue(
        by=field.sup_user,
        title="窗口要求重复提交材料",
        content="暗示找中介可加快办理",
        department=world.hr,
        occurred_on=dt.date(2026, 11, 10),
    )


def test_a_clue_is_invisible_to_departments_and_other_supervisors(world, field, clue):
    field.appoint(field.sup_user2, cert="JD-002")
    for user in (
        world.handler_hr,
        world.head_hr,
        field.sup_user2,
        world.leader,
        world.ent_user_a,
        field.officer,
        world.dispatcher_west,
    ):
        c = Client()
        c.force_login(user)
        assert c.get(f"/fieldwork/clues/{clue.number}/").status_code == 404, user
        listing = c.get("/fieldwork/clues/")
        assert listing.status_code == 404 or clue.number not in listing.content.decode(), user
        assert api(world, user, "get", f"/api/fieldwork/clues/{clue.number}").status_code == 404, user
        assert clue.number not in str(api(world, user, "get", "/api/fieldwork/clues").content)
        r = api(world, user, "post", f"/api/fieldwork/clues/{clue.number}/actions", {"action": "accept"})
        assert r.status_code == 404, user
        assert clue.title not in c.get("/").content.decode()
    for user in (field.sup_user, world.dispatcher, world.dispatcher_east, field.inspector):
        c = Client()
        c.force_login(user)
        if user == world.dispatcher_east:  # the clue's region is the city: a district office does not see it
            assert c.get(f"/fieldwork/clues/{clue.number}/").status_code == 404
            continue
        assert clue.title in c.get(f"/fieldwork/clues/{clue.number}/").content.decode(), user
        assert api(world, user, "get", f"/api/fieldwork/clues/{clue.number}").json()["title"] == clue.title
    # The city office was told (without the content).
    note = Notification.objects.get(recipient=world.dispatcher, kind="clue")
    assert clue.content not in note.title + note.body


def test_clue_states_and_who_moves_them(world, field, clue):
    with pytest.raises(NotVisible):
        services.handle_clue(clue=clue, by=world.handler_hr, action="accept")
    with pytest.raises(NotPermitted):  # the author cannot handle their own clue (a "who" refusal: 403)
        services.handle_clue(clue=clue, by=field.sup_user, action="accept")
    with pytest.raises(TransitionNotAllowed):
        services.handle_clue(clue=clue, by=world.dispatcher, action="conclude", note="x", finding="true")
    services.handle_clue(clue=clue, by=world.dispatcher, action="accept", note="转核查")
    r = api(
        world, world.dispatcher, "post", f"/api/fieldwork/clues/{clue.number}/actions", {"action": "transfer"}
    )
    assert r.status_code == 400 and "note" in r.json()["errors"]
    services.handle_clue(clue=clue, by=world.dispatcher, action="transfer", note="涉嫌作风问题，移送纪检")
    assert Notification.objects.filter(recipient=field.inspector, kind="clue").exists()
    with pytest.raises(NotPermitted):  # once transferred, only discipline inspection concludes
        services.handle_clue(clue=clue, by=world.dispatcher, action="conclude", note="x", finding="true")
    assert api(world, world.dispatcher, "get", f"/api/fieldwork/clues/{clue.number}").json()["actions"] == []
    assert api(world, field.inspector, "get", f"/api/fieldwork/clues/{clue.number}").json()["actions"] == [
        "conclude"
    ]
    with pytest.raises(InvalidInput):
        services.handle_clue(clue=clue, by=field.inspector, action="conclude", note="核实", finding="maybe")
    r = api(
        world,
        field.inspector,
        "post",
        f"/api/fieldwork/clues/{clue.number}/actions",
        {"action": "conclude", "note": "经核查部分属实，已对相关人员批评教育", "finding": "partly"},
    )
    assert r.status_code == 200 and r.json()["state"] == "concluded" and r.json()["finding"] == "partly"
    clue.refresh_from_db()
    assert [e.to_state for e in clue.events.all()] == ["received", "verifying", "transferred", "concluded"]
    # The author follows the outcome.
    mine = api(world, field.sup_user, "get", "/api/fieldwork/clues").json()
    assert mine[0]["state_label"] == "已办结" and "部分属实" not in mine[0]["state_label"]
    assert Notification.objects.filter(recipient=field.sup_user, kind="clue").count() == 3


def test_supervisor_must_be_appointed_and_in_term(world, field, clock):
    with pytest.raises(NotPermitted):
        services.submit_clue(by=field.sup_user, title="t", content="c", department=world.hr)
    field.appoint(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    with pytest.raises(NotPermitted, match="聘期"):
        services.submit_clue(by=field.sup_user, title="t", content="c", department=world.hr)
    with pytest.raises(NotPermitted):
        services.submit_clue(by=world.handler_hr, title="t", content="c", department=world.hr)
    with pytest.raises(InvalidInput) as exc:  # duplicate certificate number
        field.appoint(field.sup_user2, cert="JD-001")
    assert "certificate_no" in exc.value.errors


def test_spot_check_scores_show_in_the_department_evaluation(world, field, clock):
    field.appoint()
    r = api(
        world,
        field.sup_user,
        "post",
        "/api/fieldwork/spot-checks",
        {
            "department_id": world.hr.pk,
            "checked_on": "2026-11-10",
            "place": "人社服务大厅",
            "items": {"policy": 25, "service": 18, "convenience": 16, "efficiency": 15},
        },
    )
    assert r.status_code == 400
    assert set(r.json()["errors"]) == {"policy", "conduct"} and "0–20" in r.json()["errors"]["policy"][0]
    good = {"policy": 18, "service": 18, "convenience": 16, "efficiency": 15, "conduct": 19}
    services.record_spot_check(
        by=field.sup_user, department=world.hr, checked_on=dt.date(2026, 11, 10), items=good
    )
    services.record_spot_check(
        by=field.sup_user,
        department=world.hr,
        checked_on=dt.date(2026, 11, 12),
        items={**good, "conduct": 10, "service": 12},
    )
    services.record_spot_check(
        by=field.sup_user, department=world.land, checked_on=dt.date(2026, 10, 20), items=good
    )
    world.closed()  # the department also has a case this month

    rows = {r.department.name: r for r in evaluate(world.city, dt.date(2026, 11, 1), dt.date(2026, 11, 30))}
    spot = {k: v for k, v in rows["市人社局"].extras.items() if k.startswith("spot_")}
    assert spot == {"spot_check_score": 78.5, "spot_checks": 2}  # (86 + 71) / 2
    assert (
        "市自然资源局" not in rows or "spot_check_score" not in rows["市自然资源局"].extras
    )  # October's check
    oct_rows = {
        r.department.name: r for r in evaluate(world.city, dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    }
    assert oct_rows["市自然资源局"].extras["spot_check_score"] == 86.0

    office = Client()
    office.force_login(world.dispatcher)
    page = office.get("/supervision/evaluation/", {"period": "month", "date": "2026-11-16"}).content.decode()
    assert "抽查得分" in page and "78.5" in page
    export = office.get("/supervision/evaluation/export/", {"period": "month", "date": "2026-11-16"})
    ws = load_workbook(io.BytesIO(export.content)).active
    header = [c.value for c in ws[1]]
    hr_row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[1] == "市人社局")
    assert hr_row[header.index("抽查得分")] == 78.5 and hr_row[header.index("抽查次数")] == 2
    body = api(
        world, world.dispatcher, "get", "/api/supervision/evaluation?start=2026-11-01&end=2026-11-30"
    ).json()
    assert next(r for r in body if r["department"] == "市人社局")["extras"]["spot_check_score"] == 78.5

    # The department sees its own checks; another department does not; the supervisor's report counts them.
    assert len(api(world, world.head_hr, "get", "/api/fieldwork/spot-checks").json()) == 2
    assert api(world, world.handler_power, "get", "/api/fieldwork/spot-checks").json() == []
    report = api(
        world, world.dispatcher, "get", "/api/fieldwork/reports/supervisors?start=2026-11-01&end=2026-11-30"
    ).json()
    assert report[0]["spot_checks"] == 2 and report[0]["avg_score"] == 78.5
    assert (
        api(
            world,
            world.ent_user_a,
            "get",
            "/api/fieldwork/reports/supervisors?start=2026-11-01&end=2026-11-30",
        ).status_code
        == 403
    )


def test_supervisor_registers_an_appeal_on_an_enterprise_s_behalf(world, field, clock):
    field.appoint()
    r = api(
        world,
        field.sup_user,
        "post",
        "/api/fieldwork/supervisor/appeals",
        {
            "enterprise_id": world.ent_b.pk,
            "category_id": world.labour.pk,
            "title": "企业反映招工难",
            "content": "缺工50人",
        },
    )
    assert r.status_code == 201 and r.json()["channel"] == "supervisor"
    number = r.json()["number"]
    c = Client()
    c.force_login(field.sup_user)
    assert c.get(f"/appeals/{number}/").status_code == 200
    c.force_login(field.sup_user2)
    assert c.get(f"/appeals/{number}/").status_code == 404
    assert Clue.objects.count() == 0


def test_clue_buttons_and_api_actions_follow_the_table(world, field, clue):
    """The page shows, and the API lists, exactly the actions the workflow table allows the user now."""

    def page(user):
        c = Client()
        c.force_login(user)
        return c.get(f"/fieldwork/clues/{clue.number}/").content.decode()

    office = page(world.dispatcher)
    assert 'value="accept"' in office and 'value="dismiss"' in office and 'value="transfer"' not in office
    author = page(field.sup_user)
    assert 'name="action"' not in author
    assert api(world, field.sup_user, "get", f"/api/fieldwork/clues/{clue.number}").json()["actions"] == []
    assert api(world, world.dispatcher, "get", f"/api/fieldwork/clues/{clue.number}").json()["actions"] == [
        "accept",
        "dismiss",
    ]
    services.handle_clue(clue=clue, by=world.dispatcher, action="accept")
    office = page(world.dispatcher)
    assert 'value="transfer"' in office and 'value="conclude"' in office and 'value="accept"' not in office
    assert 'value="transfer"' not in page(field.inspector)  # the office transfers; inspection concludes


def test_supervisors_page_lists_appointments_candidates_and_exports(world, field, clue):
    """The office sees who is appointed, whom it may still appoint, and exports the duty report; a department
    does not see the page."""
    c = Client()
    c.force_login(world.dispatcher)
    page = c.get("/fieldwork/supervisors/", {"start": "2026-01-01", "end": "2026-11-16"}).content.decode()
    assert "JD-001" in page and field.sup_user2.display_name in page  # appointed, and a candidate
    r = c.get("/fieldwork/supervisors/", {"start": "2026-01-01", "end": "2026-11-16", "export": "1"})
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "证书编号" and rows[1][0] == "JD-001" and rows[1][6] == 1  # one clue
    c.force_login(world.handler_hr)
    assert c.get("/fieldwork/supervisors/").status_code == 404
    # The clue list filters by state, for those who may see clues only.
    c.force_login(world.dispatcher)
    assert clue.number in c.get("/fieldwork/clues/", {"state": "received"}).content.decode()
    assert clue.number not in c.get("/fieldwork/clues/", {"state": "concluded"}).content.decode()
    c.force_login(world.handler_hr)
    assert c.get("/fieldwork/clues/").status_code == 404
