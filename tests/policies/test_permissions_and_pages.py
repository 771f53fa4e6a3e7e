"""Who sees what (an enterprise never another's file or matches; an officer the enterprises it serves; an office
its region; a department its items), the pages as each persona, bad input in Chinese, push and tasks."""

import datetime as dt
import json

import pytest
from django.test import Client

from qinqing.accounts.models import Role, User
from qinqing.fieldwork.models import ServiceAssignment, ServiceRole
from qinqing.policies import matching
from qinqing.policies.models import Condition, ItemKind, MatchStatus, PolicyMute, PolicyPush, PolicyTask
from qinqing.supervision.models import Notification
from tests.worker import run_worker


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def api(world, user, method, path, body=None):
    c = Client()
    kw = {"HTTP_AUTHORIZATION": f"Bearer {world.token(user)}"}
    if body is not None:
        return getattr(c, method)(
            f"/api/policies{path}", data=json.dumps(body), content_type="application/json", **kw
        )
    return getattr(c, method)(f"/api/policies{path}", **kw)


@pytest.fixture
def officer(world):
    user = User.objects.create_user(username="fwg", password="x", role=Role.OFFICER, region=world.city)
    ServiceAssignment.objects.create(
        enterprise=world.ent_a,
        user=user,
        role=ServiceRole.CHIEF,
        started_on=dt.date(2026, 1, 1),
        assigned_by=world.dispatcher,
    )
    return user


@pytest.fixture
def matched(lib, clock):
    world = lib.world
    lib.attr(world.ent_a, "employees", "50")
    lib.attr(world.ent_b, "employees", "80")
    item = lib.item(conditions=[("employees", "gte", "10")])
    matching.run(push=False)
    return item


def test_enterprise_sees_only_its_own_file_and_matches(world, matched):
    a = client_for(world.ent_user_a)
    assert a.get(f"/policies/enterprises/{world.ent_b.pk}/").status_code == 404
    assert a.get(f"/policies/enterprises/{world.ent_a.pk}/").status_code == 404  # the staff page is staff's
    page = a.get("/policies/mine/")
    assert page.status_code == 200 and matched.name in page.content.decode()
    assert "兑现免费，无需中介" in page.content.decode()
    assert api(world, world.ent_user_a, "get", f"/enterprises/{world.ent_b.pk}/file").status_code == 404
    own = api(world, world.ent_user_a, "get", "/matches").json()
    assert {m["enterprise_id"] for m in own} == {world.ent_a.pk}


def test_officer_sees_served_enterprises_office_its_region_department_its_items(world, matched, officer):
    assert client_for(officer).get(f"/policies/enterprises/{world.ent_a.pk}/").status_code == 200
    assert client_for(officer).get(f"/policies/enterprises/{world.ent_b.pk}/").status_code == 404
    assert {m["enterprise_id"] for m in api(world, officer, "get", "/matches").json()} == {world.ent_a.pk}
    east = {m["enterprise_id"] for m in api(world, world.dispatcher_east, "get", "/matches").json()}
    assert east == {world.ent_a.pk}
    assert len(api(world, world.handler_hr, "get", "/matches").json()) == 2  # its item
    assert api(world, world.handler_power, "get", "/matches").json() == []
    assert (
        client_for(world.dispatcher_west).get(f"/policies/enterprises/{world.ent_a.pk}/").status_code == 404
    )


def test_file_page_shows_sources_appeals_and_credit(world, matched):
    world.submit()
    page = client_for(world.dispatcher).get(f"/policies/enterprises/{world.ent_a.pk}/").content.decode()
    assert "部门导入" in page and "招工难" in page and "未列入信用名单" in page and matched.name in page


def test_enterprise_declares_and_a_department_confirms(world, lib, clock):
    a = client_for(world.ent_user_a)
    r = a.post("/policies/file/", {"key": "employees", "value": "35", "as_of": "2026-11-01"})
    assert r.status_code == 302
    attr = world.ent_a.attributes.get(key="employees")
    assert (attr.value, attr.source) == ("35", "self")
    bad = api(
        world,
        world.ent_user_a,
        "post",
        "/my/file",
        {"key": "employees", "value": "三十", "as_of": "2026-11-01"},
    )
    assert (
        bad.status_code == 400
        and "整数" in json.dumps(bad.json(), ensure_ascii=False)
        or "数字" in bad.json()["errors"]["value"][0]
    )
    unknown = api(
        world, world.ent_user_a, "post", "/my/file", {"key": "colour", "value": "1", "as_of": "2026-11-01"}
    )
    assert unknown.status_code == 400 and "未知的企业属性" in unknown.json()["errors"]["key"][0]
    r = api(
        world,
        world.handler_hr,
        "post",
        f"/enterprises/{world.ent_a.pk}/file/confirm",
        {"key": "employees", "value": "36", "as_of": "2026-11-02"},
    )
    assert r.status_code == 200
    attr.refresh_from_db()
    assert (attr.value, attr.source, attr.confirmed_by) == ("36", "confirmed", world.handler_hr)
    # An enterprise may not confirm, nor declare for another.
    r = api(
        world,
        world.ent_user_b,
        "post",
        f"/enterprises/{world.ent_a.pk}/file/confirm",
        {"key": "employees", "value": "1", "as_of": "2026-11-02"},
    )
    assert r.status_code == 404


def test_bad_conditions_and_amount_rules_are_refused_in_chinese(world, lib):
    item = lib.item()
    cases = [
        (
            {"attribute": "colour", "operator": "gte", "value": "1", "clause": "第一条"},
            "attribute",
            "未知的属性",
        ),
        (
            {"attribute": "employees", "operator": "gte", "value": "很多", "clause": "第一条"},
            "value",
            "不是数字",
        ),
        (
            {"attribute": "employees", "operator": "between", "value": "1", "clause": "第一条"},
            "operator",
            "未知的判断",
        ),
        (
            {"attribute": "region", "operator": "region_within", "value": "999999", "clause": "第一条"},
            "value",
            "未知的行政区划",
        ),
        (
            {"attribute": "scale", "operator": "scale_in", "value": "巨型", "clause": "第一条"},
            "value",
            "不是企业规模",
        ),
        (
            {"attribute": "credit", "operator": "credit_not_on", "value": "grey", "clause": "第一条"},
            "value",
            "信用名单种类",
        ),
    ]
    for body, field, text in cases:
        r = api(world, world.handler_hr, "post", f"/items/{item.pk}/conditions", body)
        assert r.status_code == 400, body
        assert text in r.json()["errors"][field][0]
    assert not Condition.objects.filter(item=item).exists()
    ok = api(
        world,
        world.handler_hr,
        "post",
        f"/items/{item.pk}/conditions",
        cases[0][0] | {"attribute": "employees"},
    )
    assert ok.status_code == 201
    # Another department may not edit the item; an enterprise may not either.
    assert (
        api(world, world.handler_power, "post", f"/items/{item.pk}/conditions", cases[0][0]).status_code
        == 403
    )
    body = {
        "document_id": lib.doc.pk,
        "name": "x",
        "kind": "subsidy",
        "mode": "automatic",
        "department_id": world.hr.pk,
        "amount_rule": "按实际情况给予奖励",
    }
    r = api(world, world.handler_hr, "post", "/items", body)
    assert r.status_code == 400 and "无法识别" in r.json()["errors"]["amount_rule"][0]
    r = api(world, world.handler_hr, "post", "/items", body | {"amount_rule": "比例 colour 10%"})
    assert r.status_code == 400 and "不是数值属性" in r.json()["errors"]["amount_rule"][0]
    r = api(world, world.handler_hr, "post", "/items", body | {"amount_rule": "分档 employees 50:5 100:10"})
    assert r.status_code == 201


def test_condition_page_adds_and_refuses(world, lib):
    item = lib.item()
    c = client_for(world.handler_hr)
    r = c.post(
        f"/policies/items/{item.pk}/",
        {
            "do": "add_condition",
            "attribute": "employees",
            "operator": "gte",
            "value": "abc",
            "clause": "第一条",
        },
        follow=True,
    )
    assert "不是数字" in r.content.decode() and not item.conditions.exists()
    c.post(
        f"/policies/items/{item.pk}/",
        {
            "do": "add_condition",
            "attribute": "employees",
            "operator": "gte",
            "value": "10",
            "clause": "第一条",
        },
    )
    assert item.conditions.count() == 1
    r = client_for(world.handler_power).post(
        f"/policies/items/{item.pk}/",
        {
            "do": "add_condition",
            "attribute": "employees",
            "operator": "gte",
            "value": "10",
            "clause": "第一条",
        },
        follow=True,
    )
    assert "无权" in r.content.decode() or "只有" in r.content.decode()
    assert item.conditions.count() == 1


def test_becoming_eligible_notifies_users_and_tasks_the_chief_officer_once(world, lib, officer, clock):
    item = lib.item(conditions=[("employees", "gte", "10")])
    lib.attr(world.ent_a, "employees", "50")
    matching.run()
    note = Notification.objects.get(recipient=world.ent_user_a, kind=Notification.Kind.POLICY)
    assert item.name in note.title and note.url == f"/policies/items/{item.pk}/"
    task = PolicyTask.objects.get(officer=officer, enterprise=world.ent_a, item=item)
    matching.run()  # nothing new
    assert Notification.objects.filter(kind=Notification.Kind.POLICY).count() == 1
    # The officer closes the task: not done needs a note.
    bad = api(world, officer, "post", f"/tasks/{task.pk}/close", {"done": False, "note": ""})
    assert bad.status_code == 400
    done = api(world, officer, "post", f"/tasks/{task.pk}/close", {"done": True, "note": "已电话讲解"})
    assert done.status_code == 200 and done.json()["state"] == "done"
    assert api(world, officer, "post", f"/tasks/{task.pk}/close", {"done": True}).status_code == 409
    other = User.objects.create_user(username="fwg2", password="x", role=Role.OFFICER, region=world.city)
    assert api(world, other, "post", f"/tasks/{task.pk}/close", {"done": True}).status_code == 404
    # The office's figures.
    figures = api(world, world.dispatcher, "get", "/figures").json()
    assert figures == [
        {
            "item_id": item.pk,
            "item": item.name,
            "eligible": 1,
            "undetermined": 1,
            "blocked": 0,
            "notified": 1,
            "read": 0,
            "applied": 0,
            "paid": 0,
        }
    ]


def test_a_muted_class_sends_nothing(world, lib, officer, clock):
    r = client_for(world.ent_user_a).post("/policies/mine/", {"kind": ItemKind.SUBSIDY, "muted": "true"})
    assert r.status_code == 302 and PolicyMute.objects.filter(enterprise=world.ent_a).exists()
    item = lib.item(conditions=[("employees", "gte", "10")])
    lib.attr(world.ent_a, "employees", "50")
    matching.run()
    assert not Notification.objects.filter(kind=Notification.Kind.POLICY).exists()
    assert not PolicyTask.objects.exists()
    assert PolicyPush.objects.get(item=item).muted
    assert api(world, world.dispatcher, "post", "/my/mutes", {"kind": "subsidy"}).status_code == 403


def test_changing_an_item_rematches_in_the_background(world, lib, clock):
    lib.attr(world.ent_a, "employees", "50")
    item = lib.item()
    r = api(
        world,
        world.handler_hr,
        "post",
        f"/items/{item.pk}/conditions",
        {"attribute": "employees", "operator": "gte", "value": "10", "clause": "第一条"},
    )
    assert r.status_code == 201
    run_worker()
    assert item.matches.get(enterprise=world.ent_a).status == MatchStatus.ELIGIBLE


@pytest.mark.parametrize(
    "path",
    [
        "/policies/",
        "/policies/mine/",
        "/policies/file/",
        "/policies/matches/",
        "/policies/tasks/",
        "/policies/figures/",
    ],
)
def test_pages_answer_every_role_without_error(world, matched, officer, path):
    for user in (world.ent_user_a, world.dispatcher, world.handler_hr, world.leader, officer, world.auditor):
        assert client_for(user).get(path).status_code in (200, 404), (path, user)
    assert client_for(world.ent_user_a).get(f"/policies/items/{matched.pk}/").status_code == 200
