"""Accounts: one role per account with the scope it needs, API tokens stored as hashes, the token command,
sign-in and the administration pages (for the system administrator only)."""

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from qinqing.accounts.models import ApiToken, PasswordHistory, Role, User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "field"),
    [
        (Role.ENTERPRISE, "enterprise"),
        (Role.DISPATCHER, "region"),
        (Role.LEADER, "region"),
        (Role.OFFICER, "region"),
        (Role.SUPERVISOR, "region"),
        (Role.HANDLER, "department"),
        (Role.DEPT_HEAD, "department"),
    ],
)
def test_each_role_needs_its_scope(world, role, field):
    user = User(username=f"new_{role}", role=role)
    with pytest.raises(ValidationError) as exc:
        user.clean()
    assert field in exc.value.message_dict
    setattr(user, field, {"enterprise": world.ent_a, "region": world.east, "department": world.hr}[field])
    user.clean()


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.AUDITOR])
def test_administrator_roles_need_no_scope(role):
    User(username="admin_x", role=role).clean()


def test_role_properties(world):
    assert world.handler_hr.is_department_staff and world.head_hr.is_department_staff
    assert not world.dispatcher.is_department_staff
    assert world.dispatcher.is_office and world.leader.is_office and not world.handler_hr.is_office
    assert world.dispatcher.is_staff_role and not world.ent_user_a.is_staff_role
    assert world.ent_user_a.display_name == "ent_a" == str(world.ent_user_a)
    assert User(username="nobody").display_name == "nobody"


def test_setting_a_password_stamps_its_time(world):
    before = timezone.now()
    world.handler_hr.set_password("Another-Pass-2026")
    assert world.handler_hr.password_changed_at >= before


def test_a_token_is_stored_as_its_hash_and_finds_its_owner(world):
    token, raw = ApiToken.issue(user=world.handler_hr, name="对接系统")
    assert raw.startswith("qq_") and token.prefix == raw[:8]
    assert token.key_hash == ApiToken.hash(raw) and raw not in token.key_hash
    assert str(token) == f"对接系统 ({raw[:8]}…)"
    owner = ApiToken.owner(raw, stale_before=timezone.now())
    assert owner == world.handler_hr and owner.token_id == token.pk and owner.token_stale
    assert owner.department == world.hr


def test_a_revoked_token_a_wrong_token_or_an_inactive_owner_find_nobody(world):
    token, raw = ApiToken.issue(user=world.handler_hr, name="x")
    now = timezone.now()
    assert ApiToken.owner(raw + "x", stale_before=now) is None
    token.revoked = True
    token.save()
    assert ApiToken.owner(raw, stale_before=now) is None
    _, raw2 = ApiToken.issue(user=world.handler_land, name="y")
    world.handler_land.is_active = False
    world.handler_land.save()
    assert ApiToken.owner(raw2, stale_before=now) is None


def test_a_recently_used_token_is_not_stale(world):
    token, raw = ApiToken.issue(user=world.handler_hr, name="x")
    token.last_used_at = timezone.now()
    token.save()
    assert not ApiToken.owner(raw, stale_before=timezone.now() - dt.timedelta(minutes=1)).token_stale


def test_the_api_records_a_tokens_use(world):
    token, raw = ApiToken.issue(user=world.dispatcher, name="x")
    assert Client().get("/api/enterprises", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    bad = Client().get("/api/enterprises", headers={"Authorization": "Bearer qq_nothing"})
    assert bad.status_code == 401


def test_the_command_issues_a_token_printed_once(world):
    out = StringIO()
    call_command("issue_api_token", "handler_hr", "--name", "OA 对接", stdout=out)
    raw = out.getvalue().strip()
    token = ApiToken.objects.get(user=world.handler_hr, name="OA 对接")
    assert token.key_hash == ApiToken.hash(raw)


def test_the_command_refuses_an_unknown_or_inactive_user(world):
    with pytest.raises(CommandError, match="不存在或已停用"):
        call_command("issue_api_token", "no_such_user", stdout=StringIO())
    world.auditor.is_active = False
    world.auditor.save()
    with pytest.raises(CommandError):
        call_command("issue_api_token", "auditor", stdout=StringIO())
    assert not ApiToken.objects.filter(user=world.auditor).exists()


def test_signing_in_and_out(world):
    c = Client()
    page = c.get("/login/")
    assert page.status_code == 200 and "登录" in page.content.decode()
    r = c.post("/login/", {"username": "dispatcher_city", "password": "pw-qinqing-1"}, REMOTE_ADDR="10.1.1.1")
    assert r.status_code == 302
    assert c.get("/appeals/").status_code == 200
    c.post("/logout/")
    assert c.get("/appeals/").status_code == 302


def test_a_wrong_password_does_not_sign_in(world):
    c = Client()
    r = c.post("/login/", {"username": "dispatcher_city", "password": "wrong"}, REMOTE_ADDR="10.1.1.2")
    assert r.status_code == 200
    assert c.get("/appeals/").status_code == 302


def test_password_history_reads_as_user_and_date(world):
    h = PasswordHistory.objects.create(user=world.handler_hr, password="x")
    assert str(h).startswith(f"{world.handler_hr.pk} ")


ADMIN_PAGES = [
    "/admin/accounts/user/",
    "/admin/accounts/apitoken/",
    "/admin/enterprises/enterprise/",
    "/admin/organisation/region/",
    "/admin/organisation/department/",
]


# 三员分立: each administrator reaches exactly their part of the admin.
ADMIN_REACH = {
    "sysadmin": {
        "/admin/accounts/user/",
        "/admin/enterprises/enterprise/",
        "/admin/organisation/region/",
        "/admin/organisation/department/",
    },
    "secadmin": {"/admin/accounts/user/", "/admin/accounts/apitoken/"},
}


@pytest.mark.parametrize("who", sorted(ADMIN_REACH))
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_each_administrator_reaches_only_their_part_of_the_admin(world, who, path):
    c = Client()
    c.force_login(getattr(world, who))
    assert c.get(path).status_code == (200 if path in ADMIN_REACH[who] else 403)


def test_the_admin_edit_pages_open(world):
    c = Client()
    c.force_login(world.sysadmin)
    for path in (
        f"/admin/accounts/user/{world.handler_hr.pk}/change/",
        f"/admin/enterprises/enterprise/{world.ent_a.pk}/change/",
        f"/admin/organisation/region/{world.east.pk}/change/",
        f"/admin/organisation/department/{world.hr.pk}/change/",
        "/admin/enterprises/enterprise/?q=恒信",
    ):
        r = c.get(path)
        assert r.status_code == 200, path


@pytest.mark.parametrize("who", ["dispatcher", "handler_hr", "auditor", "ent_user_a"])
def test_nobody_else_reaches_the_admin(world, who):
    c = Client()
    c.force_login(getattr(world, who))
    for path in ADMIN_PAGES:
        r = c.get(path)
        assert r.status_code == 302 and "/admin/login/" in r.url
