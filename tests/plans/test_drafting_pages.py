"""The office drafts an action plan through the pages (编制行动方案, 新增任务, 新增节点, 批准方案, 结束方案) with the
same inputs and actions as the API: the same result through both doors, the same personas refused, bad input
redisplayed in Chinese with nothing saved."""

import json

import pytest
from django.contrib.messages import get_messages

from qinqing.plans.models import Milestone, Plan, PlanEvent, Task

pytestmark = pytest.mark.django_db

PLAN = {
    "year": "2027",
    "title": "青川市2027年优化营商环境行动方案",
    "number": "青营商办〔2027〕2号",
    "leading_group": "组长：市长",
    "working_groups": "政务服务专班\n要素保障专班",
    "cadence": "month",
    "report_grace_days": "5",
}
MILESTONE = {
    "title": "出台细则",
    "due": "2027-03-31",
    "expected_result": "细则印发",
    "evidence_required": "文件",
    "weight": "2",
}


def task_form(plans, parent=None):
    w = plans.world
    form = {
        "code": "2.1" if parent is None else "2.1.1",
        "title": "一网通办",
        "description": "全流程网办",
        "environment": "government",
        "lead_department": str(w.hr.pk),
        "responsibility": "statutory",
        "co_departments": [str(w.power.pk), str(w.land.pk)],
        "supervisor": str(w.leader.pk),
        "weight": "3",
        "indicators": [str(plans.ind_labour.pk), str(plans.ind_land.pk)],
    }
    if parent is not None:
        form["parent"] = str(parent)
    return form


def as_json(form):
    """The form as the API body: numbers as numbers, lists as lists."""
    out = {}
    for k, v in form.items():
        if isinstance(v, list):
            out[k] = [int(x) for x in v]
        elif k in ("year", "report_grace_days", "lead_department", "supervisor", "parent"):
            out[k] = int(v)
        elif k == "weight":
            out[k] = float(v)
        else:
            out[k] = v
    return out


def post_api(plans, user, path, body=None):
    return plans.client(user).post(
        f"/api/plans{path}", json.dumps(body or {}), content_type="application/json"
    )


def get_api(plans, user, path):
    return plans.client(user).get(f"/api/plans{path}").json()


def without_ids(data):
    if isinstance(data, dict):
        return {k: without_ids(v) for k, v in data.items() if k not in ("id", "plan_id", "parent_id")}
    if isinstance(data, list):
        return [without_ids(v) for v in data]
    return data


def draft_by_pages(plans):
    w = plans.world
    page = plans.page(w.dispatcher)
    r = page.post("/plans/", PLAN)
    plan = Plan.objects.get(title=PLAN["title"], number=PLAN["number"], year=2027, approved_on=None)
    assert r.status_code == 302 and r["Location"] == f"/plans/{plan.pk}/"
    assert "新增任务" in page.get(r["Location"]).content.decode()
    r = page.post(f"/plans/{plan.pk}/tasks/", task_form(plans))
    task = Task.objects.get(plan=plan, code="2.1")
    assert r.status_code == 302 and r["Location"] == f"/plans/tasks/{task.pk}/"
    shown = page.get(r["Location"]).content.decode()
    assert "新增节点" in shown and 'type="date" lang="zh-CN" name="due"' in shown
    r = page.post(f"/plans/{plan.pk}/tasks/", task_form(plans, parent=task.pk))
    child = Task.objects.get(plan=plan, code="2.1.1")
    for t in (task, child):
        r = page.post(f"/plans/tasks/{t.pk}/milestones/", MILESTONE)
        assert r.status_code == 302 and r["Location"] == f"/plans/tasks/{t.pk}/"
    shown = page.get(f"/plans/{plan.pk}/").content.decode()
    assert "data-confirm" in shown and "批准方案" in shown
    r = page.post(f"/plans/{plan.pk}/approve/")
    assert r.status_code == 302 and r["Location"] == f"/plans/{plan.pk}/"
    return plan


def draft_by_api(plans):
    w = plans.world
    r = post_api(plans, w.dispatcher, "/plans", as_json(PLAN))
    assert r.status_code == 201
    plan_id = r.json()["id"]
    r = post_api(plans, w.dispatcher, f"/plans/{plan_id}/tasks", as_json(task_form(plans)))
    assert r.status_code == 201
    task_id = r.json()["id"]
    r = post_api(plans, w.dispatcher, f"/plans/{plan_id}/tasks", as_json(task_form(plans, parent=task_id)))
    child_id = r.json()["id"]
    for t in (task_id, child_id):
        assert post_api(plans, w.dispatcher, f"/tasks/{t}/milestones", MILESTONE).status_code == 201
    assert post_api(plans, w.dispatcher, f"/plans/{plan_id}/approve").status_code == 200
    return Plan.objects.get(pk=plan_id)


def snapshot(plans, plan):
    w = plans.world
    tasks = Task.objects.filter(plan=plan).order_by("position")
    return {
        "plan": without_ids(get_api(plans, w.dispatcher, f"/plans/{plan.pk}")),
        "tasks": [without_ids(get_api(plans, w.dispatcher, f"/tasks/{t.pk}")) for t in tasks],
        "parents": [t.parent.code if t.parent else None for t in tasks],
        "events": list(
            PlanEvent.objects.filter(plan=plan).order_by("pk").values_list("kind", "by__username")
        ),
    }


def test_drafting_through_the_pages_equals_the_api(plans):
    by_page = draft_by_pages(plans)
    by_api = draft_by_api(plans)
    page, api = snapshot(plans, by_page), snapshot(plans, by_api)
    assert page == api
    assert page["plan"]["state"] == "approved" and page["parents"] == [None, "2.1"]
    assert len(page["tasks"][0]["co_departments"]) == 2 and len(page["tasks"][0]["indicators"]) == 2
    assert Milestone.objects.filter(task__plan=by_page, baseline_due__isnull=False).count() == 2
    # 结束方案 through the page, like the API.
    client = plans.page(plans.world.dispatcher)
    assert "结束方案" in client.get(f"/plans/{by_page.pk}/").content.decode()
    client.post(f"/plans/{by_page.pk}/end/")
    post_api(plans, plans.world.dispatcher, f"/plans/{by_api.pk}/end")
    assert snapshot(plans, by_page) == snapshot(plans, by_api)
    assert Plan.objects.get(pk=by_page.pk).state == Plan.State.ENDED


def test_forms_only_for_the_office_of_the_region(plans):
    w = plans.world
    assert "编制行动方案" in plans.page(w.dispatcher).get("/plans/").content.decode()
    assert "编制行动方案" not in plans.page(w.leader).get("/plans/").content.decode()
    draft = plans.page(w.dispatcher_east).get(f"/plans/{plans.east_plan.pk}/").content.decode()
    assert "新增任务" in draft and "批准方案" in draft
    leader = plans.page(w.leader).get(f"/plans/{plans.plan.pk}/").content.decode()
    assert 'id="form-task"' not in leader and "结束方案" not in leader
    assert (
        'id="form-milestone"'
        not in plans.page(w.leader).get(f"/plans/tasks/{plans.hr_task.pk}/").content.decode()
    )
    office = plans.page(w.dispatcher).get(f"/plans/tasks/{plans.hr_task.pk}/").content.decode()
    assert 'id="form-milestone"' in office  # an approved plan still takes milestones (基线后新增)


def test_refused_personas_through_both_doors(plans):
    w = plans.world
    east = plans.east_plan
    plans_before, tasks_before = Plan.objects.count(), Task.objects.count()
    milestones_before = Milestone.objects.count()
    # A handler: no drafting at all; a draft plan is not even visible to it.
    assert plans.page(w.handler_hr).post("/plans/", PLAN).status_code == 403
    assert post_api(plans, w.handler_hr, "/plans", as_json(PLAN)).status_code == 403
    assert plans.page(w.handler_hr).post(f"/plans/{east.pk}/tasks/", task_form(plans)).status_code == 404
    assert (
        post_api(plans, w.handler_hr, f"/plans/{east.pk}/tasks", as_json(task_form(plans))).status_code == 404
    )
    assert plans.page(w.handler_hr).post(f"/plans/{east.pk}/approve/").status_code == 404
    milestone_path = f"/plans/tasks/{plans.hr_task.pk}/milestones/"
    assert plans.page(w.handler_hr).post(milestone_path, MILESTONE).status_code == 403
    assert (
        post_api(plans, w.handler_hr, f"/tasks/{plans.hr_task.pk}/milestones", MILESTONE).status_code == 403
    )
    # Another region's office: the city's plan is not theirs to see.
    other = plans.page(w.dispatcher_east)
    assert other.post(f"/plans/{plans.plan.pk}/tasks/", task_form(plans)).status_code == 404
    assert other.post(f"/plans/tasks/{plans.hr_task.pk}/milestones/", MILESTONE).status_code == 404
    assert other.post(f"/plans/{plans.plan.pk}/end/").status_code == 404
    assert post_api(plans, w.dispatcher_east, f"/plans/{plans.plan.pk}/end").status_code == 404
    # A leader sees the plan but does not draft it.
    assert plans.page(w.leader).post(f"/plans/{east.pk}/approve/").status_code == 403
    assert plans.page(w.leader).post(f"/plans/{plans.plan.pk}/end/").status_code == 403
    assert post_api(plans, w.leader, f"/plans/{plans.plan.pk}/end").status_code == 403
    assert (Plan.objects.count(), Task.objects.count(), Milestone.objects.count()) == (
        plans_before,
        tasks_before,
        milestones_before,
    )
    assert Plan.objects.get(pk=plans.plan.pk).state == Plan.State.APPROVED


def test_bad_input_is_redisplayed_in_chinese_and_nothing_is_saved(plans):
    w = plans.world
    page = plans.page(w.dispatcher)
    before = Plan.objects.count()
    r = page.post("/plans/", PLAN | {"title": ""})
    shown = r.content.decode()
    assert r.status_code == 200 and 'id="form-plan"' in shown
    assert "此项为必填项" in shown
    assert PLAN["number"] in shown  # what was typed comes back
    api = post_api(plans, w.dispatcher, "/plans", as_json(PLAN | {"title": ""}))
    assert api.status_code in (400, 422) and api.json()["errors"]["title"][0] in shown
    assert Plan.objects.count() == before

    draft = plans.page(w.dispatcher).post("/plans/", PLAN)
    plan = Plan.objects.get(pk=int(draft["Location"].strip("/").split("/")[-1]))
    page.post(f"/plans/{plan.pk}/tasks/", task_form(plans))
    task = Task.objects.get(plan=plan)
    r = page.post(f"/plans/tasks/{task.pk}/milestones/", MILESTONE | {"due": "2027-02-30"})
    shown = r.content.decode()
    assert r.status_code == 200 and 'id="form-milestone"' in shown
    api = post_api(plans, w.dispatcher, f"/tasks/{task.pk}/milestones", MILESTONE | {"due": "2027-02-30"})
    message = api.json()["errors"]["due"][0]
    assert api.status_code in (400, 422) and message in shown
    assert any(message in str(m) for m in get_messages(r.wsgi_request))
    assert not task.milestones.exists()

    # A duplicate task code (refused by the service): the form comes back with the error on the code.
    r = page.post(f"/plans/{plan.pk}/tasks/", task_form(plans) | {"title": "重复"})
    shown = r.content.decode()
    assert r.status_code == 200 and "本方案已有编号为 2.1 的任务" in shown and "重复" in shown
    assert Task.objects.filter(plan=plan).count() == 1
    # Approving a plan whose task has no milestone: refused with the reason, still a draft.
    r = page.post(f"/plans/{plan.pk}/approve/", follow=True)
    assert "还没有节点" in r.content.decode()
    assert Plan.objects.get(pk=plan.pk).state == Plan.State.DRAFT
