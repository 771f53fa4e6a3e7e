"""Enterprise self-service sign-up: the account exists at once, the link to the enterprise waits for the office of
the enterprise's region, which approves (registering the enterprise if absent) or rejects with a reason."""

import pytest
from django.test import Client

from qinqing.accounts.models import Role, User
from qinqing.audit.models import AuditRecord
from qinqing.enterprises.models import Contact, Enterprise
from qinqing.signup.models import LinkRequest, VerificationCode
from qinqing.supervision.models import Notification, NotificationDelivery
from tests.signup.conftest import MOBILE, api_signup, as_user, form

pytestmark = pytest.mark.django_db
A = AuditRecord.Action


def page_signup(client, inbox, data):
    r = client.post("/signup/", {**data, "send": "code"})
    assert r.status_code == 200 and "验证码已发送" in r.content.decode()
    assert 'value="王小明"' in r.content.decode() or data["contact_name"] in r.content.decode()
    return client.post("/signup/", {**data, "code": inbox.code(data["mobile"])})


def test_the_login_page_links_to_sign_up_and_reset(anon):
    page = anon.get("/login/").content.decode()
    assert 'href="/signup/"' in page and 'href="/password-reset/"' in page
    r = anon.get("/signup/")
    assert r.status_code == 200 and "统一社会信用代码" in r.content.decode()


def test_sign_up_by_page_creates_an_unlinked_account_and_a_request_for_the_district_office(
    world, anon, sms_inbox
):
    data = form(world)
    r = page_signup(anon, sms_inbox, data)
    assert r.status_code == 302 and r.url == "/login/"
    user = User.objects.get(username="xinrui")
    assert user.role == Role.ENTERPRISE and user.enterprise_id is None and user.mobile == MOBILE
    assert user.full_name == "王小明" and user.check_password("Xinrui-2026-ok")
    link = LinkRequest.objects.get()
    assert (link.applicant, link.state, link.region, link.enterprise) == (user, "pending", world.east, None)
    assert link.uscc == data["uscc"] and link.enterprise_name == "东城新锐科技有限公司"
    assert AuditRecord.objects.filter(action=A.SIGNED_UP, username="xinrui").count() == 1
    # The office of the district (the nearest office) hears of it, in-app; no one else.
    told = set(
        Notification.objects.filter(kind="link_requested").values_list("recipient__username", flat=True)
    )
    assert told == {"dispatcher_east"}
    assert not Enterprise.objects.filter(uscc=data["uscc"]).exists()


def test_a_code_already_in_the_registry_goes_to_the_office_of_its_own_region(world, anon, sms_inbox):
    data = form(world, uscc=world.ent_a.uscc.lower(), region=world.west.pk, enterprise_name="恒信")
    r = api_signup(anon, sms_inbox, data)
    assert r.status_code == 201, r.content
    assert r.json()["state_label"] == "待审核"
    link = LinkRequest.objects.get()
    assert link.region == world.east and link.enterprise == world.ent_a
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"dispatcher_east"}


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"uscc": "91339902000000001X"}, "uscc", "统一社会信用代码校验位不正确，请核对"),
        ({"uscc": "123"}, "uscc", "统一社会信用代码应为18位"),
        ({"password2": "Other-2026-ok"}, "password2", "两次输入的密码不一致"),
        ({"password1": "12345678", "password2": "12345678"}, "password1", None),
        ({"username": "ent_a"}, "username", "该用户名已被使用"),
        ({"username": "有 空格"}, "username", None),
        ({"region": 999999}, "region", "所在区划不存在"),
    ],
)
def test_bad_input_is_refused_in_chinese_with_nothing_created(world, anon, sms_inbox, over, field, message):
    data = form(world, **over)
    r = api_signup(anon, sms_inbox, data)
    assert r.status_code == 400, r.content
    errors = r.json()["errors"]
    assert field in errors, errors
    if message:
        assert message in errors[field]
    assert not LinkRequest.objects.exists() and not User.objects.filter(
        username=data["username"], mobile=MOBILE
    )
    # The code was not spent on a refused form: the corrected one goes through.
    fixed = form(world)
    r = anon.post(
        "/api/signup/accounts", {**fixed, "code": sms_inbox.code(MOBILE)}, content_type="application/json"
    )
    assert r.status_code == 201, r.content


def test_a_wrong_code_is_counted_and_creates_nothing(world, anon, sms_inbox):
    anon.post("/api/signup/codes", {"mobile": MOBILE}, content_type="application/json")
    right = sms_inbox.code(MOBILE)
    wrong = "000000" if right != "000000" else "999999"
    r = anon.post("/api/signup/accounts", {**form(world), "code": wrong}, content_type="application/json")
    assert r.status_code == 400
    assert r.json()["errors"] == {"code": ["验证码不正确，还可尝试4次"]}
    assert VerificationCode.objects.get().attempts == 1
    assert not User.objects.filter(username="xinrui").exists()
    # On the page the same refusal, next to the box, with what was typed kept (but no password).
    page = anon.post("/signup/", {**form(world), "code": wrong}).content.decode()
    assert (
        "验证码不正确，还可尝试3次" in page
        and "东城新锐科技有限公司" in page
        and "Xinrui-2026-ok" not in page
    )


def test_a_mobile_is_checked_before_a_code_is_sent(world, anon, sms_inbox):
    r = anon.post("/api/signup/codes", {"mobile": "12345"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["errors"] == {"mobile": ["请输入11位手机号码，如 13800000000"]}
    r = anon.post("/api/signup/codes", {}, content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"] == {"mobile": ["此项为必填项"]}
    assert sms_inbox.messages == []


@pytest.fixture
def applied(world, sms_inbox):
    r = api_signup(Client(), sms_inbox, form(world))
    assert r.status_code == 201, r.content
    return LinkRequest.objects.get(pk=r.json()["request_id"])


def _login(username, password=None):
    c = Client()
    c.force_login(User.objects.get(username=username))
    return c


def test_an_unlinked_account_signs_in_and_sees_only_the_waiting_page(world, applied):
    c = Client()
    r = c.post("/login/", {"username": "xinrui", "password": "Xinrui-2026-ok"}, follow=True)
    assert r.redirect_chain[-1][0] == "/signup/pending/"
    page = r.content.decode()
    assert "企业关联待营商办审核" in page and "东城区营商办" in page and "待审核" in page
    for url in ("/appeals/", "/appeals/new/", "/credit/", "/my-data/", "/policies/mine/"):
        r = c.get(url)
        assert r.status_code == 302 and r.url == "/signup/pending/", url
    assert c.get("/supervision/notifications/").status_code == 200
    assert c.get("/api/appeals").status_code == 403
    # A token (were one issued) reaches the API, whose selectors show an account without an enterprise nothing.
    token = as_user(world, applied.applicant)
    world.submit()
    assert token.get("/api/appeals").json()["items"] == []
    assert token.get("/api/enterprises/").status_code in (200, 404)
    assert world.ent_a.name not in token.get("/api/enterprises/").content.decode()


def test_the_office_of_the_region_sees_the_queue_and_approves_registering_the_enterprise(world, applied):
    office = _login("dispatcher_east", "pw-qinqing-1")
    queue = office.get("/signup/requests/").content.decode()
    assert "东城新锐科技有限公司" in queue and "xinrui" in queue
    detail = office.get(f"/signup/requests/{applied.pk}/").content.decode()
    assert "企业库中没有该统一社会信用代码" in detail and "通过并关联企业" in detail
    r = office.post(f"/signup/requests/{applied.pk}/approve/")
    assert r.status_code == 302
    applied.refresh_from_db()
    user = applied.applicant
    user.refresh_from_db()
    enterprise = Enterprise.objects.get(uscc=applied.uscc)
    assert applied.state == "approved" and applied.decided_by == world.dispatcher_east
    assert user.enterprise == enterprise == applied.enterprise
    assert (enterprise.name, enterprise.region, enterprise.industry, enterprise.scale) == (
        "东城新锐科技有限公司",
        world.east,
        "I",
        "micro",
    )
    assert Contact.objects.get(enterprise=enterprise).mobile == MOBILE
    note = Notification.objects.get(kind="link_approved")
    assert note.recipient == user
    sms = NotificationDelivery.objects.get(kind="link_approved", channel="sms")
    assert sms.address == MOBILE and "东城新锐科技有限公司" in sms.text
    approved = AuditRecord.objects.get(action=A.LINK_APPROVED)
    assert approved.actor == world.dispatcher_east and approved.detail["registered"] is True
    # Now the account works: its enterprise's pages open and it can submit.
    c = _login("xinrui")
    assert c.get("/appeals/").status_code == 200
    assert c.get("/signup/pending/").status_code == 302


def test_the_approval_page_says_when_the_enterprise_already_has_accounts(world, sms_inbox):
    r = api_signup(Client(), sms_inbox, form(world, uscc=world.ent_a.uscc))
    link = LinkRequest.objects.get(pk=r.json()["request_id"])
    office = _login("dispatcher_city", "pw-qinqing-1")  # the city's office sees its districts' requests
    page = office.get(f"/signup/requests/{link.pk}/").content.decode()
    assert "该企业已有 1 个账号：ent_a" in page and world.ent_a.name in page
    api = as_user(world, world.dispatcher).get(f"/api/signup/requests/{link.pk}").json()
    assert (
        api["in_registry"]
        and api["existing_accounts"] == ["ent_a"]
        and api["actions"] == ["approve", "reject"]
    )
    r = as_user(world, world.dispatcher).post(f"/api/signup/requests/{link.pk}/approve")
    assert r.status_code == 200 and r.json()["state"] == "approved"
    assert set(world.ent_a.users.values_list("username", flat=True)) == {"ent_a", "xinrui"}
    assert Enterprise.objects.filter(uscc=world.ent_a.uscc).count() == 1


def test_rejection_needs_a_reason_and_tells_the_applicant(world, applied):
    office = as_user(world, world.dispatcher_east)
    r = office.post(
        f"/api/signup/requests/{applied.pk}/reject", {"reason": ""}, content_type="application/json"
    )
    assert r.status_code == 422 and r.json()["errors"] == {"reason": ["此项为必填项"]}
    r = office.post(
        f"/api/signup/requests/{applied.pk}/reject",
        {"reason": "营业执照信息与申请不符"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["state_label"] == "已驳回"
    assert Notification.objects.get(kind="link_rejected").recipient == applied.applicant
    sms = NotificationDelivery.objects.get(kind="link_rejected", channel="sms")
    assert "营业执照信息与申请不符" in sms.text
    assert AuditRecord.objects.get(action=A.LINK_REJECTED).detail["reason"] == "营业执照信息与申请不符"
    page = _login("xinrui").get("/signup/pending/").content.decode()
    assert "未通过" in page and "营业执照信息与申请不符" in page
    # Decided once: neither door decides again.
    r = office.post(f"/api/signup/requests/{applied.pk}/approve")
    assert r.status_code == 409 and "当前状态为“已驳回”" in r.json()["message"]
    page = _login("dispatcher_east", "pw-qinqing-1").post(
        f"/signup/requests/{applied.pk}/approve/", follow=True
    )
    assert "当前状态为“已驳回”，不能通过并关联企业" in page.content.decode()
    applied.applicant.refresh_from_db()
    assert applied.applicant.enterprise_id is None


def test_the_page_rejects_too(world, applied):
    office = _login("dispatcher_east", "pw-qinqing-1")
    r = office.post(f"/signup/requests/{applied.pk}/reject/", {"reason": ""}, follow=True)
    assert "驳回理由" in r.content.decode() and LinkRequest.objects.get().state == "pending"
    r = office.post(f"/signup/requests/{applied.pk}/reject/", {"reason": "非本企业人员"}, follow=True)
    assert "已驳回" in r.content.decode() and LinkRequest.objects.get().state == "rejected"


def test_another_regions_office_and_other_roles_get_404_and_the_applicant_cannot_approve(world, applied):
    for user in (world.dispatcher_west, world.handler_hr, world.leader, world.ent_user_a, world.secadmin):
        c = as_user(world, user)
        assert c.get(f"/api/signup/requests/{applied.pk}").status_code == 404, user
        assert c.post(f"/api/signup/requests/{applied.pk}/approve").status_code == 404, user
        assert c.get("/api/signup/requests").json() == []
    west = _login("dispatcher_west", "pw-qinqing-1")
    assert west.get(f"/signup/requests/{applied.pk}/").status_code == 404
    assert west.post(f"/signup/requests/{applied.pk}/approve/").status_code == 404
    assert "东城新锐" not in west.get("/signup/requests/").content.decode()
    assert _login("handler_hr", "pw-qinqing-1").get("/signup/requests/").status_code == 404
    # The applicant sees its own request but may not decide it.
    mine = as_user(world, applied.applicant)
    assert [x["id"] for x in mine.get("/api/signup/requests").json()] == [applied.pk]
    r = mine.post(f"/api/signup/requests/{applied.pk}/approve")
    assert r.status_code == 403 and r.json()["message"] == "您无权执行“通过并关联企业”"
    r = mine.post(
        f"/api/signup/requests/{applied.pk}/reject", {"reason": "x"}, content_type="application/json"
    )
    assert r.status_code == 403
    assert LinkRequest.objects.get().state == "pending"


def test_the_office_menu_has_the_queue(world):
    page = _login("dispatcher_east", "pw-qinqing-1").get("/appeals/").content.decode()
    assert 'href="/signup/requests/"' in page and "企业注册审核" in page


def test_after_a_rejection_the_account_applies_again_through_either_door(world, applied):
    as_user(world, world.dispatcher_east).post(
        f"/api/signup/requests/{applied.pk}/reject", {"reason": "名称有误"}, content_type="application/json"
    )
    page = _login("xinrui")
    form_page = page.get("/signup/pending/").content.decode()
    assert "重新申请" in form_page and applied.uscc in form_page  # prefilled from the rejected request
    body = {
        "uscc": applied.uscc,
        "enterprise_name": "东城新锐信息科技有限公司",
        "industry": "I",
        "scale": "small",
        "region": world.east.pk,
        "contact_name": "王小明",
    }
    r = page.post("/signup/pending/", {**body, "uscc": "123"}, follow=True)
    assert "统一社会信用代码应为18位" in r.content.decode() and LinkRequest.objects.count() == 1
    r = page.post("/signup/pending/", body, follow=True)
    assert "已重新提交" in r.content.decode() and "待审核" in r.content.decode()
    again = LinkRequest.objects.order_by("-id").first()
    assert again.state == "pending" and again.enterprise_name == "东城新锐信息科技有限公司"
    assert again.mobile == MOBILE and again.applicant == applied.applicant
    assert AuditRecord.objects.filter(action=A.SIGNED_UP, detail__again=True).count() == 1
    assert Notification.objects.filter(kind="link_requested", recipient=world.dispatcher_east).count() == 2
    # While one waits, neither door files another; an account of an enterprise files none.
    api = as_user(world, applied.applicant)
    r = api.post("/api/signup/requests", body, content_type="application/json")
    assert r.status_code == 409 and "不能重复申请" in r.json()["message"]
    r = as_user(world, world.ent_user_a).post("/api/signup/requests", body, content_type="application/json")
    assert r.status_code == 403
    as_user(world, world.dispatcher_east).post(
        f"/api/signup/requests/{again.pk}/reject", {"reason": "仍有误"}, content_type="application/json"
    )
    r = api.post("/api/signup/requests", body, content_type="application/json")
    assert r.status_code == 201 and r.json()["state"] == "pending"
