"""Rankings (finished periods only, confirmation, frozen with the rule version), the 四挂钩 sheet and its Excel, the
dashboard figures and their drill-down, every page and list export, and page/API parity of the actions."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from qinqing.audit.models import AuditRecord
from qinqing.core.errors import InvalidInput, NotPermitted
from qinqing.plans import assessment, rankings, services
from qinqing.plans.models import Milestone, Ranking, Slip
from qinqing.plans.sweep import sweep
from tests.plans.conftest import pdf

pytestmark = pytest.mark.django_db


def finish(plans, m, on):
    w = plans.world
    services.file_report(
        task=m.task,
        by=w.handler_hr if m.task == plans.hr_task else w.handler_land,
        text="x",
        milestone=m,
        files=[pdf()],
    )
    services.review_milestone(
        milestone=m, by=plans.hr_task.supervisor if m.task == plans.hr_task else w.dispatcher, accept=True
    )
    Milestone.objects.filter(pk=m.pk).update(done_on=on)


def test_ranking_counts_on_time_milestones_slips_and_rejections_of_a_finished_month(plans):
    w = plans.world
    extra = services.add_milestone(
        task=plans.land_task,
        by=w.dispatcher,
        title="扩面",
        due=dt.date(2026, 10, 28),
        expected_result="r",
        evidence_required="e",
    )
    hr_oct = services.add_milestone(
        task=plans.hr_task,
        by=w.dispatcher,
        title="摸底",
        due=dt.date(2026, 10, 20),
        expected_result="r",
        evidence_required="e",
    )
    hr_oct2 = services.add_milestone(
        task=plans.hr_task,
        by=w.dispatcher,
        title="培训",
        due=dt.date(2026, 10, 30),
        expected_result="r",
        evidence_required="e",
    )
    finish(plans, hr_oct, dt.date(2026, 10, 19))
    finish(plans, hr_oct2, dt.date(2026, 10, 30))
    finish(plans, extra, dt.date(2026, 11, 3))  # late
    data = rankings.preview(w.city, "month", dt.date(2026, 10, 5))
    rows = {r["department"]: r for r in data["all"]}
    assert (
        rows["市人社局"]["due"] == 2
        and rows["市人社局"]["on_time"] == 2
        and rows["市人社局"]["score"] == 100.0
    )
    # 自然资源局 had one milestone due in October: listed, not ranked.
    assert rows["市自然资源局"]["due"] == 1 and rows["市自然资源局"]["score"] is None
    assert [r["department"] for r in data["red"]] == ["市人社局"]
    assert data["rule_version"] == rankings.RULE_VERSION


def test_only_a_finished_period_is_ranked_and_publishing_needs_confirmation_and_freezes(plans):
    w = plans.world
    with pytest.raises(InvalidInput, match="已结束的周期"):
        rankings.preview(w.city, "month", dt.date(2026, 11, 1))
    with pytest.raises(InvalidInput, match="请确认发布"):
        rankings.publish(by=w.dispatcher, period="month", anchor=dt.date(2026, 10, 1), confirm=False)
    with pytest.raises(NotPermitted):
        rankings.publish(by=w.leader, period="month", anchor=dt.date(2026, 10, 1), confirm=True)
    published = rankings.publish(by=w.dispatcher, period="month", anchor=dt.date(2026, 10, 9), confirm=True)
    assert published.start == dt.date(2026, 10, 1) and published.rule_version == rankings.RULE_VERSION
    assert AuditRecord.objects.filter(target=f"任务推进排名#{published.pk}").exists()
    frozen = list(published.all_rows)
    services.add_milestone(
        task=plans.hr_task,
        by=w.dispatcher,
        title="补",
        due=dt.date(2026, 10, 29),
        expected_result="r",
        evidence_required="e",
    )
    published.refresh_from_db()
    assert published.all_rows == frozen
    with pytest.raises(InvalidInput, match="已发布"):
        rankings.publish(by=w.dispatcher, period="month", anchor=dt.date(2026, 10, 20), confirm=True)
    # Through the page: confirmation is required there too.
    c = plans.page(w.dispatcher)
    r = c.post("/plans/rankings/publish/", {"period": "quarter", "month": "2026-07-01"})
    assert r.status_code == 302 and not Ranking.objects.filter(period="quarter").exists()
    r = c.post("/plans/rankings/publish/", {"period": "quarter", "month": "2026-07-01", "confirm": "true"})
    assert Ranking.objects.filter(period="quarter").exists()
    # The city's list is circulated to its departments and its districts' offices; not to an enterprise.
    assert plans.page(w.handler_hr).get(f"/plans/rankings/{published.pk}/").status_code == 200
    assert plans.page(w.dispatcher_east).get(f"/plans/rankings/{published.pk}/").status_code == 200
    assert plans.page(w.ent_user_a).get(f"/plans/rankings/{published.pk}/").status_code == 404
    x = plans.page(w.dispatcher).get(f"/plans/rankings/{published.pk}/?format=xlsx")
    assert load_workbook(io.BytesIO(x.content)).sheetnames == ["红榜", "黑榜", "全部单位"]


def test_the_assessment_sheet_combines_the_four_columns_with_their_weights(plans):
    w = plans.world
    hr_oct = services.add_milestone(
        task=plans.hr_task,
        by=w.dispatcher,
        title="摸底",
        due=dt.date(2026, 10, 20),
        expected_result="r",
        evidence_required="e",
    )
    hr_nov = services.add_milestone(
        task=plans.hr_task,
        by=w.dispatcher,
        title="宣传",
        due=dt.date(2026, 11, 12),
        expected_result="r",
        evidence_required="e",
    )
    finish(plans, hr_oct, dt.date(2026, 10, 19))
    finish(plans, hr_nov, dt.date(2026, 11, 11))
    # m1 and m2 are not due yet: the running year counts the milestones due so far.
    rows = {r.department: r for r in assessment.sheet(w.city, 2026)}
    hr = rows["市人社局"]
    assert hr.scores["plans"] == 100.0
    assert hr.scores["indicators"] is None  # the index app has no owner scores on this branch
    assert hr.total == 100.0 and "指标牵头" in hr.missing
    assert "市营商办" not in rows
    r = plans.page(w.leader).get("/plans/assessment/?year=2026&format=xlsx")
    wb = load_workbook(io.BytesIO(r.content))
    sheet = wb["2026年度绩效考核评分表"]
    assert [c.value for c in sheet[1]] == assessment.headers()
    assert "诉求办理得分（权重40%）" in assessment.headers()
    assert wb["评分说明"]["A4"].value == "用途"
    assert plans.page(w.handler_hr).get("/plans/assessment/").status_code == 404
    assert plans.client(w.handler_hr).get("/api/plans/assessment?year=2026").status_code == 403
    api = plans.client(w.leader).get("/api/plans/assessment?year=2026").json()
    assert api["weights"] == assessment.WEIGHTS


def test_dashboard_figures_drill_down_and_are_the_same_through_the_api(plans):
    w = plans.world
    sweep(dt.date(2026, 11, 16))
    page = plans.page(w.leader).get("/plans/dashboard/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="kpi-light-red">1<' in body and 'id="kpi-light-green">1<' in body
    assert 'id="kpi-slip-blue">5<' in body
    assert f"/plans/tasks/?plan={plans.plan.pk}&light=red" in body
    assert 'id="panel-index"' in body and 'id="panel-projects"' in body
    # The index panel reads the provincial index (no region chose another); the projects panel counts 0 here.
    assert "广东省营商环境评价指标体系" in body and 'id="kpi-projects">0<' in body
    assert body.count('id="panel-index"') == 1 and "待指标体系模块接入" not in body
    api = plans.client(w.leader).get("/api/plans/dashboard").json()
    assert api["lights"]["red"] == 1 and api["slips_open"]["blue"] == 5 and api["tasks"] == 2
    drill = plans.page(w.leader).get(f"/plans/tasks/?plan={plans.plan.pk}&light=red").content.decode()
    assert "交房即交证" in drill and "稳岗就业" not in drill
    assert plans.page(w.handler_hr).get("/plans/dashboard/").status_code == 404
    assert plans.client(w.handler_hr).get("/api/plans/dashboard").status_code == 403


@pytest.mark.parametrize("url", ["/plans/tasks/?format=xlsx", "/plans/slips/?format=xlsx&state=all"])
def test_every_list_exports_to_excel(plans, url):
    sweep(dt.date(2026, 11, 16))
    r = plans.page(plans.world.dispatcher).get(url)
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws.max_row > 1


def test_the_pages_render_for_each_party(plans):
    w = plans.world
    sweep(dt.date(2026, 11, 16))
    slip = Slip.objects.filter(task=plans.hr_task).first()
    for user, urls in [
        (
            w.dispatcher,
            [
                "/plans/",
                f"/plans/{plans.plan.pk}/",
                "/plans/tasks/",
                f"/plans/tasks/{plans.hr_task.pk}/",
                "/plans/slips/",
                f"/plans/slips/{slip.pk}/",
                "/plans/rankings/",
                "/plans/assessment/",
                "/plans/dashboard/",
            ],
        ),
        (
            w.leader,
            [
                "/plans/",
                f"/plans/tasks/{plans.hr_task.pk}/",
                f"/plans/slips/{slip.pk}/",
                "/plans/rankings/?period=quarter&month=2026-07-01",
            ],
        ),
        (
            w.handler_hr,
            [
                "/plans/tasks/",
                f"/plans/tasks/{plans.hr_task.pk}/",
                "/plans/slips/",
                f"/plans/slips/{slip.pk}/",
                "/plans/rankings/",
            ],
        ),
    ]:
        c = plans.page(user)
        for url in urls:
            assert c.get(url).status_code == 200, (user.username, url)
    assert plans.page(w.handler_hr).get("/plans/").status_code == 302
    assert plans.page(w.ent_user_a).get("/plans/tasks/").status_code == 404
    assert plans.page(w.handler_land).get(f"/plans/slips/{slip.pk}/").status_code == 404


def test_page_and_api_agree_on_review_and_slip_answers(plans):
    w = plans.world
    # Through the API: the department files with evidence, the 督办专员 accepts.
    r = plans.client(w.handler_hr).post(
        f"/api/plans/tasks/{plans.hr_task.pk}/reports",
        {"text": "x", "milestone": str(plans.m1.pk), "attachments": [pdf()]},
    )
    assert r.status_code == 201, r.content
    assert (
        plans.client(w.handler_hr)
        .post(f"/api/plans/milestones/{plans.m1.pk}/accept", {}, content_type="application/json")
        .status_code
        == 403
    )
    r = plans.client(w.leader).post(
        f"/api/plans/milestones/{plans.m1.pk}/accept", {"note": "好"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["progress"] == 25.0
    # Through the page: the same steps on the second milestone, refused then accepted the same way.
    c = plans.page(w.handler_hr)
    c.post(f"/plans/tasks/{plans.hr_task.pk}/report/", {"text": "无材料", "milestone": str(plans.m2.pk)})
    plans.m2.refresh_from_db()
    assert plans.m2.state == Milestone.State.OPEN
    c.post(
        f"/plans/tasks/{plans.hr_task.pk}/report/",
        {"text": "上线", "milestone": str(plans.m2.pk), "attachments": [pdf()]},
    )
    plans.m2.refresh_from_db()
    assert plans.m2.state == Milestone.State.SUBMITTED
    plans.page(w.leader).post(f"/plans/milestones/{plans.m2.pk}/accept/", {"note": ""})
    plans.m2.refresh_from_db()
    assert plans.m2.state == Milestone.State.DONE
    sweep(dt.date(2026, 11, 16))
    slip = Slip.objects.filter(task=plans.hr_task).first()
    r = plans.client(w.handler_hr).post(
        f"/api/plans/slips/{slip.pk}/answer", {"answer": ""}, content_type="application/json"
    )
    assert r.status_code == 422
    plans.page(w.handler_hr).post(f"/plans/slips/{slip.pk}/answer/", {"answer": "已补报"})
    slip.refresh_from_db()
    assert slip.state == Slip.State.ANSWERED
    r = plans.client(w.leader).post(
        f"/api/plans/slips/{slip.pk}/close", {"note": ""}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["state"] == "closed"


def test_the_office_drafts_a_plan_through_the_api(world, clock):
    from tests.plans.conftest import Plans

    Plans(world)
    c = Plans.client(type("P", (), {"world": world})(), world.dispatcher)
    r = c.post("/api/plans/plans", {"year": 2027, "title": "2027年方案"}, content_type="application/json")
    assert r.status_code == 201 and r.json()["state"] == "draft"
    pid = r.json()["id"]
    r = c.post(
        f"/api/plans/plans/{pid}/tasks",
        {"code": "1", "title": "t", "environment": "law", "lead_department": world.hr.pk},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    tid = r.json()["id"]
    assert c.post(f"/api/plans/plans/{pid}/approve").status_code == 409
    r = c.post(
        f"/api/plans/tasks/{tid}/milestones",
        {"title": "m", "due": "2027-03-01", "expected_result": "r", "evidence_required": "e"},
        content_type="application/json",
    )
    assert r.status_code == 201
    r = c.post(f"/api/plans/plans/{pid}/approve")
    assert r.status_code == 200 and r.json()["state"] == "approved"
    r = c.post(
        f"/api/plans/plans/{pid}/tasks",
        {"code": "1", "title": "dup", "environment": "law", "lead_department": world.hr.pk},
        content_type="application/json",
    )
    assert r.status_code == 400 and "重复" in r.json()["message"]
    handler = Plans.client(type("P", (), {"world": world})(), world.handler_hr)
    assert (
        handler.post(
            "/api/plans/plans", {"year": 2027, "title": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
