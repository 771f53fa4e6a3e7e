"""The HTTP API: the whole journey, token and session auth, Chinese errors with 4xx, and denials."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from qinqing.accounts.models import ApiToken
from qinqing.appeals.models import Appeal, Status
from qinqing.enterprises.models import Enterprise
from tests.conftest import make_uscc

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, world, user):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {world.token(user)}"}

    def get(self, path, **params):
        return self.client.get(f"/api{path}", params, headers=self.headers)

    def post(self, path, body=None, **headers):
        return self.client.post(
            f"/api{path}",
            json.dumps(body or {}),
            content_type="application/json",
            headers={**self.headers, **headers},
        )


@pytest.fixture
def api(world):
    return lambda user: Api(world, user)


def test_full_journey_through_the_api(world, api, clock):
    ent, disp, hr = api(world.ent_user_a), api(world.dispatcher), api(world.handler_hr)
    r = ent.post("/appeals", {"title": "用工缺口", "content": "缺50名操作工", "category": "labour"})
    assert r.status_code == 201, r.content
    number = r.json()["number"]

    r = disp.get(f"/appeals/{number}/suggestion")
    assert r.json()["lead"]["id"] == world.hr.pk
    assert (
        disp.post(f"/appeals/{number}/assign", {"lead": world.hr.pk, "co": [world.land.pk]}).status_code
        == 200
    )
    assert hr.post(f"/appeals/{number}/sign").json()["status"] == "in_progress"
    r = hr.post(f"/appeals/{number}/extensions", {"days": 3, "reason": "会商"})
    assert r.status_code == 201
    ext_id = r.json()["id"]
    assert disp.post(f"/appeals/{number}/extensions/{ext_id}/decision", {"approve": True}).status_code == 200
    assert (
        hr.post(f"/appeals/{number}/pause", {"kind": "enterprise", "reason": "补材料"}).json()["status"]
        == "paused"
    )
    assert hr.post(f"/appeals/{number}/resume", {}).json()["status"] == "in_progress"
    assert hr.post(f"/appeals/{number}/notes", {"note": "已联系"}).status_code == 200
    assert (
        hr.post(f"/appeals/{number}/reply", {"measures": "专场招聘", "result": "招到45人"}).status_code == 200
    )
    r = ent.post(
        f"/appeals/{number}/rate", {"satisfaction": "dissatisfied", "resolved": False, "comment": "还缺人"}
    )
    assert r.json()["status"] == "closed"
    assert ent.post(f"/appeals/{number}/reopen", {"reason": "还缺5人"}).status_code == 403
    assert [a["number"] for a in disp.get("/appeals?review=pending").json()["items"]] == [number]
    r = disp.post(f"/appeals/{number}/reopen", {"reason": "还缺5人，请继续对接"})
    assert r.json()["status"] == "in_progress" and r.json()["reopen_count"] == 1

    events = disp.get(f"/appeals/{number}/events").json()
    assert [e["kind"] for e in events] == [
        "submitted", "assigned", "signed", "extension_requested", "extension_approved",
        "paused", "resumed", "note", "replied", "rated", "reopened",
    ]  # fmt: skip
    # The enterprise's timeline leaves out what is internal: the extension and the internal note.
    events = ent.get(f"/appeals/{number}/events").json()
    assert [e["kind"] for e in events] == [
        "submitted", "assigned", "signed", "paused", "resumed", "replied", "rated", "reopened",
    ]  # fmt: skip
    assert all(e["public"] for e in events)
    assert ent.get(f"/appeals/{number}").json()["extensions"] == []
    assert events[0]["kind_label"] == "提交诉求"


def test_dispatcher_registers_on_behalf_by_credit_code(world, api, clock):
    r = api(world.dispatcher).post(
        "/appeals",
        {
            "title": "停电",
            "content": "频繁停电",
            "category": "power",
            "channel": "theme_day",
            "enterprise_uscc": world.ent_b.uscc,
        },
    )
    assert r.status_code == 201
    appeal = Appeal.objects.get(number=r.json()["number"])
    assert appeal.enterprise == world.ent_b and appeal.channel == "theme_day"


class TestBadInput:
    def test_missing_fields_are_listed_in_chinese(self, world, api):
        r = api(world.ent_user_a).post("/appeals", {"title": "x"})
        assert r.status_code == 422
        body = r.json()
        assert body["message"] == "提交的数据有误，请检查后重试"
        assert body["errors"]["content"] == ["此项为必填项"]
        assert body["errors"]["category"] == ["此项为必填项"]
        assert Appeal.objects.count() == 0

    def test_unknown_category(self, world, api):
        r = api(world.ent_user_a).post("/appeals", {"title": "x", "content": "y", "category": "spaceflight"})
        assert r.status_code == 400
        assert "未知的类别" in r.json()["errors"]["category"][0]

    def test_deactivated_category_is_refused_at_once(self, world, api, clock):
        client = api(world.ent_user_a)
        body = {"title": "招工难", "content": "缺人", "category": "labour"}
        assert client.post("/appeals", body).status_code == 201  # the categories are now cached
        world.labour.active = False
        world.labour.save()
        r = client.post("/appeals", body)
        assert r.status_code == 400
        assert r.json()["errors"]["category"] == ["该类别已停用，请选择其他类别"]
        assert Appeal.objects.count() == 1

    def test_wrong_credit_code_check_digit(self, world, api):
        bad = world.ent_b.uscc[:-1] + ("0" if world.ent_b.uscc[-1] != "0" else "1")
        r = api(world.dispatcher).post(
            "/appeals",
            {"title": "x", "content": "y", "category": "power", "channel": "hotline", "enterprise_uscc": bad},
        )
        assert r.status_code == 400
        assert r.json()["errors"]["enterprise_uscc"] == ["统一社会信用代码校验位不正确，请核对"]

    def test_invalid_json(self, world, api):
        a = api(world.ent_user_a)
        r = a.client.post("/api/appeals", "{not json", content_type="application/json", headers=a.headers)
        assert r.status_code in (400, 422)
        assert "message" in r.json()

    def test_wrong_enum_value(self, world, api):
        r = api(world.ent_user_a).post(
            "/appeals", {"title": "x", "content": "y", "category": "labour", "urgency": "asap"}
        )
        assert r.status_code == 422
        assert "取值不在允许范围内" in r.json()["errors"]["urgency"][0]

    def test_action_in_wrong_state_is_409_and_changes_nothing(self, world, api, clock):
        appeal = world.submit()
        r = api(world.ent_user_a).post(
            f"/appeals/{appeal.number}/rate", {"satisfaction": "satisfied", "resolved": True}
        )
        assert r.status_code == 409  # the owner may rate, but not before a reply
        assert "待受理" in r.json()["message"]
        appeal.refresh_from_db()
        assert appeal.status == Status.SUBMITTED

    def test_sign_twice_is_409(self, world, api, clock):
        appeal = world.in_progress()
        r = api(world.handler_hr).post(f"/appeals/{appeal.number}/sign")
        assert r.status_code == 409
        assert "办理中" in r.json()["message"]

    def test_fifty_megabyte_file_refused(self, world, api, clock):
        appeal = world.submit()
        a = api(world.ent_user_a)
        big = SimpleUploadedFile("现场.pdf", b"0" * (50 * 1024 * 1024), content_type="application/pdf")
        r = a.client.post(f"/api/appeals/{appeal.number}/attachments", {"files": [big]}, headers=a.headers)
        assert r.status_code == 400
        assert "超过 20 MB" in r.json()["errors"]["attachments"][0]
        assert appeal.attachments.count() == 0

    def test_page_size_bounds(self, world, api):
        r = api(world.dispatcher).get("/appeals", page_size=1000)
        assert r.status_code == 422
        assert "不能大于100" in r.json()["errors"]["page_size"][0]

    def test_bad_date_filter(self, world, api):
        r = api(world.dispatcher).get("/appeals", date_from="2026-13-01")
        assert r.status_code == 422


def test_intake_runs_a_fixed_handful_of_queries(world, api, clock, django_assert_max_num_queries):
    client = api(world.ent_user_a)
    body = {"title": "招工难", "content": "缺人", "category": "labour"}
    client.post("/appeals", body)  # first use of the token is recorded; categories get cached
    # The same statements on both databases: token+user, enterprise+primary contact, then in one transaction
    # (a savepoint inside the test's own) the day's counter, the appeal and its submitted event (the words are
    # analysed later, in bulk, by their readers).
    with django_assert_max_num_queries(7):
        r = client.post("/appeals", body)
    assert r.status_code == 201
    appeal = Appeal.objects.get(number=r.json()["number"])
    assert (appeal.contact_name, appeal.contact_mobile) == ("陈联络", "13800000001")
    assert appeal.events.get().kind == "submitted"


class TestAuth:
    def test_no_credentials_is_401_json(self, world):
        r = Client().get("/api/appeals")
        assert r.status_code == 401
        assert r.json()["message"].startswith("请先登录")

    def test_revoked_token_refused(self, world):
        token_row, raw = ApiToken.issue(user=world.ent_user_a, name="t")
        token_row.revoked = True
        token_row.save()
        r = Client().get("/api/appeals", headers={"Authorization": f"Bearer {raw}"})
        assert r.status_code == 401

    def test_token_of_deactivated_user_refused(self, world):
        _, raw = ApiToken.issue(user=world.ent_user_a, name="t")
        world.ent_user_a.is_active = False
        world.ent_user_a.save()
        r = Client().get("/api/appeals", headers={"Authorization": f"Bearer {raw}"})
        assert r.status_code == 401

    def test_unknown_token_refused(self, world):
        r = Client().get("/api/appeals", headers={"Authorization": "Bearer qq_not-a-token"})
        assert r.status_code == 401

    def test_token_use_recorded_at_most_once_a_minute(self, world):
        row, raw = ApiToken.issue(user=world.ent_user_a, name="t")
        headers = {"Authorization": f"Bearer {raw}"}
        assert Client().get("/api/me", headers=headers).json()["username"] == world.ent_user_a.username
        row.refresh_from_db()
        first = row.last_used_at
        assert first is not None
        Client().get("/api/me", headers=headers)
        row.refresh_from_db()
        assert row.last_used_at == first
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=first - dt.timedelta(minutes=2))
        Client().get("/api/me", headers=headers)
        row.refresh_from_db()
        assert row.last_used_at > first

    def test_only_hash_is_stored(self, world):
        row, raw = ApiToken.issue(user=world.ent_user_a, name="t")
        assert raw not in row.key_hash and row.key_hash == ApiToken.hash(raw)

    def test_session_auth_requires_csrf_for_writes(self, world):
        c = Client(enforce_csrf_checks=True)
        c.force_login(world.ent_user_a)
        assert c.get("/api/appeals").status_code == 200
        r = c.post(
            "/api/appeals",
            json.dumps({"title": "t", "content": "c", "category": "labour"}),
            content_type="application/json",
        )
        assert r.status_code in (401, 403)
        assert Appeal.objects.count() == 0

    def test_openapi_schema_and_docs(self, world):
        r = Client().get("/api/openapi.json")
        assert r.status_code == 200
        assert "/api/appeals/{number}/assign" in r.json()["paths"]
        c = Client()
        c.force_login(world.dispatcher)
        assert c.get("/api/docs").status_code == 200


class TestApiPermissions:
    """No object is reachable by guessing its number: other people's appeals answer 404, like missing ones."""

    def test_enterprise_sees_only_its_own(self, world, api, clock):
        mine = world.submit()
        theirs = world.submit(by=world.ent_user_b)
        a = api(world.ent_user_a)
        assert [i["number"] for i in a.get("/appeals").json()["items"]] == [mine.number]
        assert a.get(f"/appeals/{theirs.number}").status_code == 404
        assert a.get("/appeals/QQ209901010001").status_code == 404
        assert a.post(f"/appeals/{theirs.number}/withdraw", {"reason": "x"}).status_code == 404

    def test_department_sees_only_assigned(self, world, api, clock):
        appeal = world.assigned()
        assert api(world.handler_hr).get(f"/appeals/{appeal.number}").status_code == 200
        assert api(world.handler_land).get(f"/appeals/{appeal.number}").status_code == 200  # co-handling
        assert api(world.handler_power).get(f"/appeals/{appeal.number}").status_code == 404
        assert api(world.handler_power).post(f"/appeals/{appeal.number}/sign").status_code == 404
        assert api(world.handler_power).get("/appeals").json()["count"] == 0

    def test_dispatcher_sees_only_region_subtree(self, world, api, clock):
        east = world.submit()
        west = world.submit(by=world.ent_user_b)
        assert api(world.dispatcher).get("/appeals").json()["count"] == 2
        e = api(world.dispatcher_east)
        assert [i["number"] for i in e.get("/appeals").json()["items"]] == [east.number]
        assert e.get(f"/appeals/{west.number}").status_code == 404
        assert e.post(f"/appeals/{west.number}/assign", {"lead": world.hr.pk}).status_code == 404

    def test_administrators_read_no_cases(self, world, api, clock):
        appeal = world.submit()
        for user in (world.sysadmin, world.auditor):
            assert api(user).get("/appeals").json()["count"] == 0
            assert api(user).get(f"/appeals/{appeal.number}").status_code == 404

    def test_co_department_cannot_reply(self, world, api, clock):
        appeal = world.in_progress()
        r = api(world.handler_land).post(f"/appeals/{appeal.number}/reply", {"measures": "m", "result": "r"})
        assert r.status_code == 403
        assert "无权" in r.json()["message"]

    def test_enterprise_list_masks_mobiles(self, world, api):
        body = api(world.dispatcher).get("/enterprises").json()
        assert {c["mobile"] for e in body for c in e["contacts"]} == {"138****0001", "139****0002"}

    def test_department_cannot_list_enterprises(self, world, api):
        assert api(world.handler_hr).get("/enterprises").status_code == 403


class TestEnterpriseRegistry:
    def test_register_with_valid_code(self, world, api):
        code = make_uscc("339902")
        r = api(world.dispatcher).post(
            "/enterprises",
            {"uscc": code, "name": "新企业有限公司", "industry": "C", "scale": "micro", "region_code": "339902",
             "contact_name": "李四", "contact_mobile": "13700000000"},
        )  # fmt: skip
        assert r.status_code == 201, r.content
        assert r.json()["contacts"][0]["mobile"] == "137****0000"

    def test_wrong_check_digit_and_other_errors_together(self, world, api):
        code = make_uscc("339902")
        bad = code[:-1] + ("0" if code[-1] != "0" else "1")
        r = api(world.dispatcher).post(
            "/enterprises",
            {
                "uscc": bad,
                "name": "",
                "industry": "Z",
                "scale": "huge",
                "region_code": "339902",
                "contact_mobile": "123",
            },
        )
        assert r.status_code == 400
        errors = r.json()["errors"]
        assert errors["uscc"] == ["统一社会信用代码校验位不正确，请核对"]
        assert set(errors) >= {"name", "industry", "scale", "contact_mobile"}
        assert not Enterprise.objects.filter(name="").exists()

    def test_short_code(self, world, api):
        r = api(world.dispatcher).post(
            "/enterprises",
            {"uscc": "9133", "name": "n", "industry": "C", "scale": "micro", "region_code": "339902"},
        )
        assert r.json()["errors"]["uscc"] == ["统一社会信用代码应为18位"]

    def test_district_dispatcher_cannot_register_elsewhere(self, world, api):
        r = api(world.dispatcher_east).post(
            "/enterprises",
            {"uscc": make_uscc(), "name": "n", "industry": "C", "scale": "micro", "region_code": "339903"},
        )
        assert r.status_code == 400 and "region" in r.json()["errors"]

    def test_enterprise_user_cannot_register(self, world, api):
        r = api(world.ent_user_a).post(
            "/enterprises",
            {"uscc": make_uscc(), "name": "n", "industry": "C", "scale": "micro", "region_code": "339902"},
        )
        assert r.status_code == 403
