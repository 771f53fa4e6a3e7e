"""Sign-in and sessions as 等保 2.0 asks: lockout, password policy and expiry, idle and absolute session limits,
the demo password refused outside a demo, and an audit log nobody can edit. Each allowed case has a refusal."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.test import Client

from qinqing.accounts.models import Role, User
from qinqing.appeals.models import AppealEvent
from qinqing.audit.models import AppendOnly, AuditRecord
from tests.conftest import at

A = AuditRecord.Action
GOOD = "Qc-strong-2026x"


@pytest.fixture
def staff(db):
    user = User.objects.create_user(username="clerk", role=Role.SYSADMIN)
    user.set_password(GOOD)
    user.save()
    return user


def login(client: Client, username: str, password: str, path: str = "/login/", ip: str = "10.0.0.1"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip)


def actions(**filters) -> list[str]:
    return list(AuditRecord.objects.filter(**filters).order_by("at", "id").values_list("action", flat=True))


# ---------------------------------------------------------------- lockout


def test_five_failures_lock_the_account_for_thirty_minutes_even_with_the_right_password(staff):
    c = Client()
    with time_machine.travel(at(2026, 11, 16, 9), tick=False) as clock:
        for _ in range(4):
            assert login(c, "clerk", "wrong-password").status_code == 200
        locked = login(c, "clerk", "wrong-password")
        assert locked.status_code == 429
        assert "登录已锁定" in locked.content.decode() and "30 分钟" in locked.content.decode()
        # The right password from another address is refused while the account is locked.
        assert login(Client(), "clerk", GOOD, ip="10.0.0.9").status_code == 429
        assert actions(username="clerk").count(A.LOGIN_FAILED) >= 5
        assert A.LOCKED_OUT in actions(username="clerk")
        clock.shift(dt.timedelta(minutes=29))
        assert login(Client(), "clerk", GOOD, ip="10.0.0.9").status_code == 429
        clock.shift(dt.timedelta(minutes=2))
        released = login(Client(), "clerk", GOOD, ip="10.0.0.9")
        assert released.status_code == 302
    assert A.LOCK_RELEASED in actions(username="clerk")
    assert actions(username="clerk")[-1] == A.LOGIN


def test_five_failures_from_one_address_lock_that_address_for_every_account(staff, world):
    c = Client()
    for i in range(5):
        login(c, f"guess{i}", "wrong-password", ip="10.0.0.66")
    assert login(c, "clerk", GOOD, ip="10.0.0.66").status_code == 429
    # Another address is not locked: the account itself has no failures.
    assert login(Client(), "clerk", GOOD, ip="10.0.0.67").status_code == 302


def test_four_failures_then_success_resets_the_count(staff):
    c = Client()
    for _ in range(4):
        login(c, "clerk", "wrong-password")
    assert login(c, "clerk", GOOD).status_code == 302
    for _ in range(4):
        assert login(Client(), "clerk", "wrong-password").status_code == 200
    assert login(Client(), "clerk", GOOD).status_code == 302


def test_the_admin_login_is_locked_too(staff):
    staff.is_staff = True
    staff.save()
    c = Client()
    for _ in range(5):
        login(c, "clerk", "wrong-password", path="/admin/login/")
    assert login(c, "clerk", GOOD, path="/admin/login/").status_code == 429


# ---------------------------------------------------------------- passwords


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Short-1a", "password_too_short"),
        ("alllowercase-only", "password_classes"),
        ("Clerk-2026-abc", "password_has_username"),
        ("qinqing2026", "password_demo"),
    ],
)
def test_staff_passwords_follow_the_policy(staff, password, code):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, staff)
    assert code in {e.code for e in refused.value.error_list}
    assert all("密码" in m for m in refused.value.messages)


def test_a_strong_staff_password_and_a_plain_enterprise_password_pass(staff, world):
    validate_password("Another-good-2026", staff)
    validate_password("lanshan-88", world.ent_user_a)  # enterprise users: length and the common lists
    with pytest.raises(ValidationError):
        validate_password("qinqing2026", world.ent_user_a)


def test_the_last_five_passwords_cannot_come_back(staff):
    used = [f"Reuse-pass-{i}x" for i in range(6)]
    for p in used:
        validate_password(p, staff)
        staff.set_password(p)
        staff.save()
    for p in used[1:]:
        with pytest.raises(ValidationError, match="最近 5 次"):
            validate_password(p, staff)
    validate_password(used[0], staff)  # six changes ago: allowed again
    assert staff.password_history.count() == 5


def test_an_expired_staff_password_must_be_changed_first(staff, world):
    c = Client()
    c.force_login(staff)
    User.objects.filter(pk=staff.pk).update(password_changed_at=at(2026, 1, 1))
    with time_machine.travel(at(2026, 4, 2), tick=False):
        r = c.get("/")
        assert r.status_code == 302 and r.url.startswith("/password/")
        page = c.get(r.url)
        assert "修改密码" in page.content.decode() and "90 天" in page.content.decode()
        changed = c.post(
            "/password/?next=/",
            {"old_password": GOOD, "new_password1": "Fresh-pass-2026", "new_password2": "Fresh-pass-2026"},
        )
        assert changed.status_code == 302
        assert c.get("/").url != "/password/?next=/"
    assert A.PASSWORD_CHANGED in actions(username="clerk")
    # An enterprise user's old password is not forced.
    User.objects.filter(pk=world.ent_user_a.pk).update(password_changed_at=at(2025, 1, 1))
    e = Client()
    e.force_login(world.ent_user_a)
    assert e.get("/").url == "/appeals/"


def test_a_weak_new_password_is_refused_in_chinese_and_nothing_changes(staff):
    c = Client()
    c.force_login(staff)
    r = c.post("/password/", {"old_password": GOOD, "new_password1": "weakpass", "new_password2": "weakpass"})
    assert r.status_code == 200 and "至少 10 位" in r.content.decode()
    staff.refresh_from_db()
    assert staff.check_password(GOOD)


def test_the_demo_password_signs_in_only_in_a_demo(settings, db):
    user = User.objects.create_user(username="demo_staff", role=Role.DISPATCHER)
    user.set_password("qinqing2026")  # as seed_demo does: set_password does not validate
    user.save()
    settings.QINQING_ALLOW_DEMO_PASSWORDS = False
    assert login(Client(), "demo_staff", "qinqing2026").status_code == 200
    assert actions(username="demo_staff") == [A.LOGIN_FAILED]
    settings.QINQING_ALLOW_DEMO_PASSWORDS = True
    assert login(Client(), "demo_staff", "qinqing2026").status_code == 302


# ---------------------------------------------------------------- sessions


def test_thirty_idle_minutes_end_a_session_and_say_why(world):
    c = Client()
    with time_machine.travel(at(2026, 11, 16, 9), tick=False) as clock:
        c.force_login(world.dispatcher)
        clock.shift(dt.timedelta(minutes=29))
        assert c.get("/appeals/").status_code == 200
        clock.shift(dt.timedelta(minutes=29))  # 29 minutes after the last request: still in
        assert c.get("/appeals/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        r = c.get("/appeals/", follow=True)
        assert r.redirect_chain[-1][0].startswith("/login/")
        assert "30 分钟未操作" in r.content.decode()
    assert actions(username=world.dispatcher.username)[-1] == A.SESSION_EXPIRED


def test_administrators_time_out_after_fifteen_minutes(world):
    c = Client()
    with time_machine.travel(at(2026, 11, 16, 9), tick=False) as clock:
        c.force_login(world.auditor)
        clock.shift(dt.timedelta(minutes=14))
        assert c.get("/audit/").status_code == 200
        clock.shift(dt.timedelta(minutes=16))
        assert c.get("/audit/").status_code == 302


def test_a_session_ends_twelve_hours_after_signing_in_however_busy(world):
    c = Client()
    with time_machine.travel(at(2026, 11, 16, 8), tick=False) as clock:
        c.force_login(world.handler_hr)
        for _ in range(12 * 3 + 2):
            clock.shift(dt.timedelta(minutes=20))
            if c.get("/appeals/").status_code != 200:
                break
        assert c.get("/appeals/").status_code == 302
    assert A.SESSION_EXPIRED in actions(username=world.handler_hr.username)


# ---------------------------------------------------------------- the audit log


def test_logins_and_logouts_are_recorded_with_address(staff):
    c = Client()
    login(c, "clerk", GOOD, ip="10.1.2.3")
    c.post("/logout/")
    rows = list(AuditRecord.objects.filter(username="clerk").order_by("id"))
    assert [r.action for r in rows] == [A.LOGIN, A.LOGOUT]
    assert rows[0].ip_address == "10.1.2.3" and rows[0].role == Role.SYSADMIN and rows[0].path == "/login/"


def test_an_audit_record_cannot_be_changed_or_deleted_through_the_orm(staff):
    c = Client()
    login(c, "clerk", "wrong-password")
    row = AuditRecord.objects.get(username="clerk")
    row.username = "someone-else"
    with pytest.raises(AppendOnly):
        row.save()
    with pytest.raises(AppendOnly):
        row.delete()
    with pytest.raises(AppendOnly):
        AuditRecord.objects.filter(pk=row.pk).update(username="x")
    with pytest.raises(AppendOnly):
        AuditRecord.objects.all().delete()
    assert AuditRecord.objects.get(pk=row.pk).username == "clerk"


@pytest.mark.pg_only
def test_postgresql_refuses_update_and_delete_of_audit_rows_and_events_from_any_client(staff, world):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's; SQLite relies on the model guard")
    from qinqing.appeals import services

    login(Client(), "clerk", "wrong-password")
    services.submit_appeal(
        enterprise=world.ent_a,
        by=world.ent_user_a,
        title="用电报装",
        content="申请增容",
        category=world.power_cat,
    )
    for sql in (
        "UPDATE audit_auditrecord SET username = 'x'",
        "DELETE FROM audit_auditrecord",
        "UPDATE appeals_appealevent SET note = 'x'",
        "DELETE FROM appeals_appealevent",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(sql)
    assert AuditRecord.objects.filter(username="clerk").exists()
    assert AppealEvent.objects.exists()


def test_only_the_audit_administrator_reads_the_security_log(world, staff):
    login(Client(), "clerk", "wrong-password", ip="10.9.9.9")
    login(Client(), "clerk", GOOD, ip="10.9.9.9")
    auditor = Client()
    auditor.force_login(world.auditor)
    page = auditor.get("/audit/security/", {"action": A.LOGIN_FAILED, "actor": "clerk"})
    body = page.content.decode()
    assert page.status_code == 200 and "登录失败" in body and "10.9.9.9" in body
    assert "共 1 条" in body
    assert "日期格式" in auditor.get("/audit/security/", {"day": "2026-13-45"}, follow=True).content.decode()
    for user in (world.sysadmin, world.dispatcher, world.ent_user_a):
        other = Client()
        other.force_login(user)
        assert other.get("/audit/security/").status_code == 404


# ---------------------------------------------------------------- second factor


def _code_for(hex_key: str) -> str:
    from binascii import unhexlify

    from django_otp.oath import TOTP

    return f"{TOTP(unhexlify(hex_key.encode())).token():06d}"


def test_administrators_bind_and_then_give_a_second_factor(settings, world):
    import re

    from django.core import signing
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from qinqing.audit.views import ENROL_SALT

    settings.QINQING_REQUIRE_OTP = True
    c = Client()
    c.force_login(world.auditor)
    r = c.get("/audit/")
    assert r.status_code == 302 and r.url.startswith("/otp/")
    page = c.get(r.url)
    body = page.content.decode()
    assert "扫描下方二维码" in body and "<svg" in body
    assert not TOTPDevice.objects.exists()  # showing the code page writes nothing
    enrol = re.search(r'name="enrol" value="([^"]+)"', body).group(1)
    key = signing.loads(enrol, salt=ENROL_SALT)
    wrong = c.post("/otp/", {"code": "000000" if _code_for(key) != "000000" else "111111", "enrol": enrol})
    assert wrong.status_code == 400 and "动态口令不正确" in wrong.content.decode()
    assert not TOTPDevice.objects.exists()
    assert c.post("/otp/", {"code": _code_for(key), "enrol": enrol, "next": "/audit/"}).url == "/audit/"
    assert c.get("/audit/").status_code == 200
    assert TOTPDevice.objects.get(user=world.auditor).confirmed
    # A new session asks the bound device, and a forged enrolment cannot replace it.
    again = Client()
    again.force_login(world.auditor)
    assert again.get("/audit/").status_code == 302
    assert "扫描" not in again.get("/otp/").content.decode()
    assert again.post("/otp/", {"code": "12ab56"}).status_code == 400
    assert again.get("/audit/").status_code == 302
    assert [a for a in actions(username=world.auditor.username) if a.startswith("otp")] == [
        A.OTP_FAILED,
        A.OTP_ENROLLED,
        A.OTP_FAILED,
    ]


def test_other_staff_need_no_second_factor_unless_configured(settings, world):
    settings.QINQING_REQUIRE_OTP = True
    c = Client()
    c.force_login(world.dispatcher)
    assert c.get("/appeals/").status_code == 200
    settings.QINQING_OTP_ROLES = ["sysadmin", "auditor", "dispatcher"]
    assert c.get("/appeals/").status_code == 302


# ---------------------------------------------------------------- API tokens


def test_tokens_expire_and_revoked_or_expired_ones_are_refused(world):
    from qinqing.accounts.models import ApiToken

    token, raw = ApiToken.issue(user=world.handler_hr, name="对接", days=30)
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    assert api.get("/api/appeals").status_code == 200
    with time_machine.travel(token.expires_at + dt.timedelta(seconds=1)):
        assert api.get("/api/appeals").status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)
    assert api.get("/api/appeals").status_code == 401


def test_a_user_issues_sees_and_revokes_only_their_own_tokens(world):
    from qinqing.accounts.models import ApiToken

    mine = Client()
    mine.force_login(world.handler_hr)
    r = mine.post("/tokens/", {"name": "本局业务系统", "days": "90"})
    body = r.content.decode()
    assert r.status_code == 200 and "只显示这一次" in body and "从未使用" in body
    token = ApiToken.objects.get(user=world.handler_hr)
    assert 89 <= (token.expires_at - token.created_at).days <= 90
    assert mine.post("/tokens/", {"name": "x", "days": "400"}, follow=True).status_code == 200
    assert "1 到 365" in mine.post("/tokens/", {"name": "x", "days": "400"}).content.decode()
    other = Client()
    other.force_login(world.handler_power)
    assert other.post("/tokens/", {"revoke": token.pk}).status_code == 404
    assert "本局业务系统" not in other.get("/tokens/").content.decode()
    assert mine.post("/tokens/", {"revoke": token.pk}).status_code == 302
    token.refresh_from_db()
    assert token.revoked
    assert [a for a in actions(username=world.handler_hr.username) if a.startswith("token")] == [
        A.TOKEN_ISSUED,
        A.TOKEN_REVOKED,
    ]


# ---------------------------------------------------------------- exports and the admin


def test_every_export_is_audited_with_its_filter(world):
    world.assigned()
    c = Client()
    c.force_login(world.dispatcher)
    r = c.get("/appeals/export/", {"tab": "all"}, REMOTE_ADDR="10.3.3.3")
    assert r.status_code == 200
    row = AuditRecord.objects.get(action=A.EXPORT)
    assert row.actor == world.dispatcher and row.ip_address == "10.3.3.3"
    assert row.detail["file"].startswith("诉求清单") and row.detail["query"] == "tab=all"


def test_admin_changes_are_audited_and_case_data_is_not_in_the_admin(world):
    c = Client()
    c.force_login(world.sysadmin)
    r = c.post(
        f"/admin/appeals/category/{world.power_cat.pk}/change/",
        {"name": "用电用水", "code": "power", "sort": 5, "active": "on"},
        REMOTE_ADDR="10.4.4.4",
    )
    assert r.status_code == 302, r.content.decode()[:500]
    row = AuditRecord.objects.get(action=A.ADMIN_CHANGE)
    assert row.actor == world.sysadmin and row.ip_address == "10.4.4.4"
    assert row.detail["model"] == "appeals.Category" and row.detail["verb"] == "change"
    for path in (
        "/admin/appeals/appeal/",
        "/admin/supervision/supervisionorder/",
        "/admin/supervision/deadlinealert/",
    ):
        assert c.get(path).status_code == 404, path


def test_the_admin_shows_enterprise_contacts_masked(world):
    c = Client()
    c.force_login(world.sysadmin)
    body = c.get(f"/admin/enterprises/enterprise/{world.ent_b.pk}/change/").content.decode()
    assert "139****0002" in body and "13900000002" not in body


# ---------------------------------------------------------------- 三员分立


def test_the_system_administrator_reads_accounts_but_grants_nothing_and_sees_no_mobile(world):
    c = Client()
    c.force_login(world.sysadmin)
    world.handler_hr.mobile = "13700001111"
    world.handler_hr.save()
    page = c.get(f"/admin/accounts/user/{world.handler_hr.pk}/change/").content.decode()
    assert "13700001111" not in page
    r = c.post(
        f"/admin/accounts/user/{world.handler_hr.pk}/change/",
        {"username": "handler_hr", "role": Role.DISPATCHER},
    )
    assert r.status_code == 403
    world.handler_hr.refresh_from_db()
    assert world.handler_hr.role == Role.HANDLER
    assert c.get("/admin/accounts/user/add/").status_code == 403


def test_the_security_administrator_grants_roles_and_every_grant_is_audited(world):
    c = Client()
    c.force_login(world.secadmin)
    assert c.get("/admin/appeals/category/").status_code == 403  # no reference data
    target = world.handler_land
    form = c.get(f"/admin/accounts/user/{target.pk}/change/")
    assert form.status_code == 200 and 'name="role"' in form.content.decode()
    assert 'name="is_superuser"' not in form.content.decode()  # only break-glass makes a superuser
    r = c.post(
        f"/admin/accounts/user/{target.pk}/change/",
        {
            "username": target.username,
            "role": Role.DEPT_HEAD,
            "department": world.land.pk,
            "is_active": "on",
            "is_staff": "",
            "date_joined_0": "2026-11-01",
            "date_joined_1": "09:00:00",
            "full_name": target.full_name,
            "mobile": "",
        },
        REMOTE_ADDR="10.5.5.5",
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    target.refresh_from_db()
    assert target.role == Role.DEPT_HEAD
    grant = AuditRecord.objects.get(action=A.ROLE_CHANGED, actor=world.secadmin)
    assert grant.actor == world.secadmin and grant.ip_address == "10.5.5.5"
    assert grant.detail["changes"]["role"] == [Role.HANDLER, Role.DEPT_HEAD]


def test_the_security_log_speaks_chinese(world):
    c = Client()
    c.force_login(world.dispatcher)
    c.get("/appeals/export/")
    auditor = Client()
    auditor.force_login(world.auditor)
    body = auditor.get("/audit/security/", {"action": A.EXPORT}).content.decode()
    assert "营商办调度员" in body and "文件：" in body
    assert ">dispatcher<" not in body and "file=" not in body
