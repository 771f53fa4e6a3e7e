"""Plans, tasks and milestones: evidence before sign-off, progress by weights, 销号 and reopening, the baseline,
lights from the working-day calendar, permissions (404 for what one may not see)."""

import datetime as dt

import pytest

from qinqing.core.errors import InvalidInput, NotPermitted, NotVisible, TransitionNotAllowed
from qinqing.plans import actions, inputs, selectors, services
from qinqing.plans.models import Evidence, Light, Milestone, Plan, Task
from tests.plans.conftest import pdf

pytestmark = pytest.mark.django_db


def light_of(user, task):
    return selectors.get_task(user, task.pk).light


def test_a_milestone_without_evidence_cannot_go_to_review(plans):
    w = plans.world
    with pytest.raises(InvalidInput) as exc:
        services.file_report(task=plans.hr_task, by=w.handler_hr, text="进展", milestone=plans.m1)
    assert "佐证材料" in exc.value.message
    plans.m1.refresh_from_db()
    assert plans.m1.state == Milestone.State.OPEN


def test_a_milestone_without_evidence_cannot_be_accepted_even_if_it_reached_review(plans):
    Milestone.objects.filter(pk=plans.m1.pk).update(
        state=Milestone.State.SUBMITTED, submitted_at=dt.datetime(2026, 11, 16, tzinfo=dt.UTC)
    )
    with pytest.raises(TransitionNotAllowed, match="没有佐证材料"):
        services.review_milestone(milestone=plans.m1, by=plans.world.leader, accept=True)
    plans.m1.refresh_from_db()
    assert plans.m1.state == Milestone.State.SUBMITTED


def test_evidence_and_the_reviewers_sign_off_complete_a_milestone_and_progress_follows_the_weights(plans):
    w = plans.world
    services.file_report(
        task=plans.hr_task, by=w.handler_hr, text="细则已印发", milestone=plans.m1, files=[pdf()]
    )
    plans.m1.refresh_from_db()
    assert plans.m1.state == Milestone.State.SUBMITTED
    assert Evidence.objects.filter(milestone=plans.m1).count() == 1
    # Submitted is not done: progress counts only what the reviewer accepted.
    assert selectors.progress(selectors.get_task(w.leader, plans.hr_task.pk)) == 0
    services.review_milestone(milestone=plans.m1, by=w.leader, accept=True, note="齐全")
    plans.m1.refresh_from_db()
    assert plans.m1.state == Milestone.State.DONE and plans.m1.done_on == dt.date(2026, 11, 16)
    assert selectors.progress(selectors.get_task(w.leader, plans.hr_task.pk)) == 25.0  # weight 1 of 1 + 3


def test_a_returned_milestone_needs_a_reason_and_can_be_submitted_again(plans):
    w = plans.world
    services.file_report(
        task=plans.hr_task, by=w.handler_hr, text="x", milestone=plans.m1, link="https://example.gov.cn/a"
    )
    with pytest.raises(InvalidInput):
        services.review_milestone(milestone=plans.m1, by=w.leader, accept=False)
    services.review_milestone(milestone=plans.m1, by=w.leader, accept=False, note="缺文号")
    plans.m1.refresh_from_db()
    assert plans.m1.state == Milestone.State.RETURNED
    # The earlier link still stands as evidence; the department adds a file and sends it again.
    services.file_report(
        task=plans.hr_task, by=w.handler_hr, text="补正", milestone=plans.m1, files=[pdf("正式文件.pdf")]
    )
    plans.m1.refresh_from_db()
    assert plans.m1.state == Milestone.State.SUBMITTED and plans.m1.evidence.count() == 2


def test_the_lead_department_cannot_sign_off_its_own_milestone(plans):
    w = plans.world
    services.file_report(task=plans.hr_task, by=w.handler_hr, text="x", milestone=plans.m1, files=[pdf()])
    with pytest.raises(NotPermitted):
        services.review_milestone(milestone=plans.m1, by=w.head_hr, accept=True)


def test_a_task_closes_only_with_every_milestone_done_and_the_reviewers_acceptance_and_can_reopen(plans):
    w = plans.world
    task = plans.hr_task
    with pytest.raises(TransitionNotAllowed, match="2个节点"):
        services.request_close(task=task, by=w.handler_hr)
    for m in (plans.m1, plans.m2):
        services.file_report(task=task, by=w.handler_hr, text="x", milestone=m, files=[pdf()])
        services.review_milestone(milestone=m, by=w.leader, accept=True)
    services.request_close(task=task, by=w.handler_hr)
    with pytest.raises(NotPermitted):
        services.decide_close(task=task, by=w.handler_hr, accept=True)
    services.decide_close(task=task, by=w.leader, accept=True)
    assert light_of(w.leader, task) == Light.DONE
    with pytest.raises(InvalidInput):
        services.reopen_task(task=task, by=w.leader, note="")
    services.reopen_task(task=task, by=w.dispatcher, note="指标未改善")
    task.refresh_from_db()
    assert task.state == Task.State.ACTIVE and task.closed_at is None


def test_the_baseline_is_frozen_at_approval_and_slippage_is_counted_in_working_days(plans, clock):
    w = plans.world
    plans.m1.refresh_from_db()
    assert plans.m1.baseline_due == dt.date(2026, 11, 20)
    services.reschedule_milestone(
        milestone=plans.m1, by=w.dispatcher, due=dt.date(2026, 11, 27), reason="配套文件延后"
    )
    plans.m1.refresh_from_db()
    assert plans.m1.baseline_due == dt.date(2026, 11, 20) and plans.m1.due == dt.date(2026, 11, 27)
    assert selectors.slippage(plans.m1) == 5
    late = services.add_milestone(
        task=plans.hr_task,
        by=w.dispatcher,
        title="新增",
        due=dt.date(2026, 12, 1),
        expected_result="r",
        evidence_required="e",
    )
    assert late.baseline_due is None and selectors.slippage(late) is None
    f = selectors.dashboard(w.leader)
    assert f.slipped_milestones == 1 and f.slipped_days == 5
    with pytest.raises(NotPermitted):
        services.reschedule_milestone(
            milestone=plans.m1, by=w.handler_hr, due=dt.date(2026, 12, 4), reason="x"
        )


def test_lights_follow_the_working_day_calendar(plans, clock):
    w = plans.world
    assert light_of(w.leader, plans.hr_task) == Light.GREEN  # m1 due Friday 11-20
    assert light_of(w.leader, plans.land_task) == Light.RED  # due 11-10, open
    clock.move_to(dt.datetime(2026, 11, 20, 9, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    assert light_of(w.leader, plans.hr_task) == Light.YELLOW  # its last working day
    clock.move_to(dt.datetime(2026, 11, 21, 9, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    assert light_of(w.leader, plans.hr_task) == Light.RED


def test_a_draft_plan_cannot_be_worked_on_and_approval_needs_milestones(plans):
    w = plans.world
    east_task = services.add_task(
        plan=plans.east_plan,
        by=w.dispatcher_east,
        code="1",
        title="t",
        environment="law",
        lead_department=plans.east_dept,
    )
    with pytest.raises(TransitionNotAllowed, match="还没有节点"):
        services.approve_plan(plan=plans.east_plan, by=w.dispatcher_east)
    with pytest.raises(NotPermitted):
        services.file_report(task=east_task, by=plans.east_handler, text="x")
    with pytest.raises(NotPermitted):
        services.approve_plan(plan=plans.east_plan, by=w.dispatcher_west)
    services.add_milestone(
        task=east_task,
        by=w.dispatcher_east,
        title="m",
        due=dt.date(2026, 12, 1),
        expected_result="r",
        evidence_required="e",
    )
    services.approve_plan(plan=plans.east_plan, by=w.dispatcher_east)
    plans.east_plan.refresh_from_db()
    assert plans.east_plan.state == Plan.State.APPROVED


# ---------------------------------------------------------------- permissions


def test_another_department_neither_sees_nor_reports_on_a_task(plans):
    w = plans.world
    with pytest.raises(NotVisible):
        selectors.get_task(w.handler_land, plans.hr_task.pk)
    with pytest.raises(NotVisible):
        actions.file_report(w.handler_land, plans.hr_task.pk, inputs.PlanReportIn(text="冒报"))
    assert plans.page(w.handler_land).get(f"/plans/tasks/{plans.hr_task.pk}/").status_code == 404
    assert plans.client(w.handler_land).get(f"/api/plans/tasks/{plans.hr_task.pk}").status_code == 404
    assert plans.client(w.handler_land).get(f"/api/plans/tasks/{plans.hr_task.pk}/reports").status_code == 404
    r = plans.client(w.handler_land).post(f"/api/plans/tasks/{plans.hr_task.pk}/reports", {"text": "冒报"})
    assert r.status_code == 404 and r.json()["message"] == "未找到该任务"


def test_a_co_department_sees_the_task_but_not_its_internal_reports_and_cannot_report(plans):
    w = plans.world
    services.file_report(
        task=plans.hr_task, by=w.handler_hr, text="内部进展：人手不足", milestone=plans.m1, files=[pdf()]
    )
    assert selectors.get_task(w.handler_power, plans.hr_task.pk)
    page = plans.page(w.handler_power).get(f"/plans/tasks/{plans.hr_task.pk}/")
    assert page.status_code == 200
    assert "人手不足" not in page.content.decode() and "批复.pdf" not in page.content.decode()
    assert (
        plans.client(w.handler_power).get(f"/api/plans/tasks/{plans.hr_task.pk}/reports").status_code == 404
    )
    ev = Evidence.objects.get()
    assert plans.page(w.handler_power).get(f"/plans/evidence/{ev.pk}/").status_code == 404
    r = plans.client(w.handler_power).post(f"/api/plans/tasks/{plans.hr_task.pk}/reports", {"text": "代报"})
    assert r.status_code == 403 and "报送进展" in r.json()["message"]
    # The lead department and the 督办专员 read them.
    assert "人手不足" in plans.page(w.leader).get(f"/plans/tasks/{plans.hr_task.pk}/").content.decode()
    assert plans.page(w.handler_hr).get(f"/plans/evidence/{ev.pk}/").status_code == 200


def test_a_head_sees_the_tasks_of_the_units_under_it(plans):
    w = plans.world
    unit_task = services.add_task(
        plan=plans.plan,
        by=w.dispatcher,
        code="1.3",
        title="就业科任务",
        environment="social",
        lead_department=w.hr_unit,
    )
    assert selectors.tasks_visible_to(w.head_hr).filter(pk=unit_task.pk).exists()
    assert not selectors.tasks_visible_to(w.handler_hr).filter(pk=unit_task.pk).exists()


def test_a_district_office_sees_only_its_districts(plans):
    w = plans.world
    assert list(selectors.plans_visible_to(w.dispatcher_east)) == [plans.east_plan]
    assert plans.page(w.dispatcher_east).get(f"/plans/{plans.plan.pk}/").status_code == 404
    assert plans.client(w.dispatcher_east).get(f"/api/plans/tasks/{plans.hr_task.pk}").status_code == 404
    assert plans.client(w.dispatcher_west).get(f"/api/plans/plans/{plans.east_plan.pk}").status_code == 404
    assert set(selectors.plans_visible_to(w.dispatcher)) == {plans.plan, plans.east_plan}
    # A draft is the office's: the district's department does not see its tasks yet.
    services.add_task(
        plan=plans.east_plan,
        by=w.dispatcher_east,
        code="1",
        title="t",
        environment="law",
        lead_department=plans.east_dept,
    )
    assert not selectors.tasks_visible_to(plans.east_handler).exists()


def test_a_supervisor_sees_only_what_they_supervise(plans):
    w = plans.world
    from qinqing.accounts.models import Role, User

    official = User.objects.create_user(
        username="duban", password="x", role=Role.DEPT_HEAD, department=w.power
    )
    Task.objects.filter(pk=plans.land_task.pk).update(supervisor=official)
    seen = set(selectors.tasks_visible_to(official))
    assert plans.land_task in seen and plans.hr_task in seen  # hr_task: 供电公司 co-operates on it
    assert selectors.sees_internals(official, plans.land_task)
    assert not selectors.sees_internals(official, plans.hr_task)


def test_errors_are_chinese_4xx(plans):
    w = plans.world
    c = plans.client(w.handler_hr)
    r = c.post(f"/api/plans/tasks/{plans.hr_task.pk}/reports", {"text": "x", "milestone": str(plans.m1.pk)})
    assert r.status_code == 400 and "佐证材料" in r.json()["message"]
    r = c.post(f"/api/plans/tasks/{plans.hr_task.pk}/reports", {"text": "x", "link": "javascript:alert(1)"})
    assert r.status_code == 422
    r = c.post(
        f"/api/plans/tasks/{plans.hr_task.pk}/steps/request_close",
        {"note": ""},
        content_type="application/json",
    )
    assert r.status_code == 409 and "节点未完成" in r.json()["message"]
    r = c.post(f"/api/plans/milestones/{plans.m1.pk}/accept", {}, content_type="application/json")
    assert r.status_code in (403, 409)
    bad = pdf("x.exe")
    r = c.post(
        f"/api/plans/tasks/{plans.hr_task.pk}/reports",
        {"text": "x", "milestone": str(plans.m1.pk), "attachments": [bad]},
    )
    assert r.status_code == 400 and "附件类型不允许" in r.json()["message"]


def test_contributions_list_the_tasks_behind_an_indicator_as_the_reader_may_see_them(plans):
    from qinqing.indices.hooks import contributions

    w = plans.world
    got = contributions(w.leader, plans.ind_labour)
    assert [c.label for c in got] == ["1.1 稳岗就业"]
    assert got[0].url == f"/plans/tasks/{plans.hr_task.pk}/" and got[0].light == "green"
    assert contributions(w.handler_land, plans.ind_labour) == []
    services.file_report(task=plans.hr_task, by=w.handler_hr, text="x", milestone=plans.m1, files=[pdf()])
    services.review_milestone(milestone=plans.m1, by=w.leader, accept=True)
    assert "进度25%" in contributions(w.handler_hr, plans.ind_labour)[0].detail
