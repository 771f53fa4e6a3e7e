"""Password reset by SMS code: the same answer whether or not the account exists, a code to the mobile on file,
the new password ends every other session and the account's API tokens, and the lockout stays (only the security
administrator releases a lock, docs/security.md)."""

import pytest
from django.test import Client

from qinqing.accounts.models import ApiToken
from qinqing.audit.models import AuditRecord
from qinqing.signup.models import VerificationCode

pytestmark = pytest.mark.django_db
MOBILE = "13800000011"
NEW = "Hengxin-new-2026"
SENT = "如果该账号存在并登记了手机号码，验证码已发送至该手机，5分钟内有效。"


@pytest.fixture
def holder(world):
    world.ent_user_a.mobile = MOBILE
    world.ent_user_a.save()
    return world.ent_user_a


def ask(client, login, ip="10.1.1.1"):
    return client.post(
        "/api/signup/password-reset/codes", {"login": login}, content_type="application/json", REMOTE_ADDR=ip
    )


def reset(client, login, code, password=NEW, again=None):
    body = {"login": login, "code": code, "password1": password, "password2": again or password}
    return client.post("/api/signup/password-reset", body, content_type="application/json")


def test_a_code_goes_to_the_mobile_on_file_by_username_or_by_mobile(holder, sms_inbox):
    r = ask(Client(), "ENT_A")
    assert r.status_code == 200 and r.json() == {"message": SENT}
    assert len(sms_inbox.to(MOBILE)) == 1
    r = ask(Client(), MOBILE, ip="10.1.1.2")
    assert r.status_code == 200 and r.json() == {"message": SENT}
    assert len(sms_inbox.to(MOBILE)) == 2


def test_an_unknown_account_gets_the_same_answer_and_the_same_limits(holder, sms_inbox, clock):
    for login in ("ent_a", "nobody"):
        first, second = ask(Client(), login), ask(Client(), login)
        assert (first.status_code, first.json()) == (200, {"message": SENT})
        assert second.status_code == 400 and "请60秒后再试" in second.json()["message"], login
    assert len(sms_inbox.messages) == 1
    # and a wrong code says the same thing
    for login in ("ent_a", "nobody"):
        r = reset(Client(), login, "000001")
        assert r.status_code == 400 and r.json()["errors"] == {"code": ["验证码不正确，还可尝试4次"]}
    # the page too: one message, the same next step
    clock.shift(61)
    for login in ("ent_a", "nobody"):
        page = Client().post("/password-reset/", {"login": login, "send": "code"}, REMOTE_ADDR="10.2.2.2")
        assert SENT in page.content.decode() and "设置新密码" in page.content.decode()


def test_an_account_without_a_mobile_gets_no_code_and_the_same_answer(world, sms_inbox):
    assert ask(Client(), "ent_b").json() == {"message": SENT}
    assert sms_inbox.messages == []
    assert VerificationCode.objects.get().sent == VerificationCode.Sent.SKIPPED


def test_the_reset_sets_the_password_ends_other_sessions_and_revokes_tokens(world, holder, sms_inbox):
    elsewhere = Client()
    elsewhere.force_login(holder)
    assert elsewhere.get("/appeals/").status_code == 200
    token = world.token(holder)
    ask(Client(), "ent_a")
    r = reset(Client(), "ent_a", sms_inbox.code(MOBILE))
    assert r.status_code == 200 and r.json()["username"] == "ent_a"
    holder.refresh_from_db()
    assert holder.check_password(NEW)
    r = elsewhere.get("/appeals/")
    assert r.status_code == 302 and r.url.startswith("/login/")
    assert Client(headers={"Authorization": f"Bearer {token}"}).get("/api/appeals").status_code == 401
    assert ApiToken.objects.get(user=holder).revoked
    record = AuditRecord.objects.get(action=AuditRecord.Action.PASSWORD_RESET)
    assert record.username == "ent_a" and record.detail["tokens_revoked"] == 1
    # One use: the same code does not reset again.
    r = reset(Client(), "ent_a", sms_inbox.code(MOBILE), password="Another-pass-2026")
    assert r.status_code == 400 and "已使用" in r.json()["message"]
    c = Client()
    r = c.post("/login/", {"username": "ent_a", "password": NEW})
    assert r.status_code == 302


def test_a_weak_password_is_refused_after_the_code_and_the_code_stays_usable(holder, sms_inbox):
    ask(Client(), "ent_a")
    code = sms_inbox.code(MOBILE)
    r = reset(Client(), "ent_a", code, password="12345678")
    assert r.status_code == 400 and "password1" in r.json()["errors"]
    r = reset(Client(), "ent_a", code, password=NEW, again="Mismatch-2026")
    assert r.status_code == 400 and r.json()["errors"] == {"password2": ["两次输入的密码不一致"]}
    assert reset(Client(), "ent_a", code).status_code == 200


def test_the_page_resets_and_sends_the_user_to_the_login(holder, sms_inbox):
    c = Client()
    assert "找回密码" in c.get("/password-reset/").content.decode()
    c.post("/password-reset/", {"login": "ent_a", "send": "code"})
    r = c.post(
        "/password-reset/",
        {"step": "set", "login": "ent_a", "code": sms_inbox.code(MOBILE), "password1": NEW, "password2": NEW},
    )
    assert r.status_code == 302 and r.url == "/login/"
    holder.refresh_from_db()
    assert holder.check_password(NEW)
    page = c.post(
        "/password-reset/",
        {"step": "set", "login": "ent_a", "code": "12", "password1": NEW, "password2": NEW},
    ).content.decode()
    assert "设置新密码" in page and "验证码已使用，请重新获取" in page


def test_the_lockout_is_not_released_by_a_reset(holder, sms_inbox):
    c = Client()
    for _ in range(5):
        c.post("/login/", {"username": "ent_a", "password": "wrong-one"}, REMOTE_ADDR="10.3.3.3")
    assert c.post("/login/", {"username": "ent_a", "password": "pw-qinqing-1"}).status_code == 429
    ask(Client(), "ent_a")
    assert reset(Client(), "ent_a", sms_inbox.code(MOBILE)).status_code == 200
    # Locked until the lock runs out or the security administrator releases it.
    assert Client().post("/login/", {"username": "ent_a", "password": NEW}).status_code == 429
