"""三员分立, second pair of eyes: with QINQING_GRANT_APPROVAL a role or scope change that gives case access waits
for another security administrator; the requester cannot approve it; narrowing changes and administrator roles
take effect at once; every step is audited. And ``createsuperuser`` is refused but for an audited break-glass use."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from qinqing.accounts.models import GrantRequest, Role, User
from qinqing.accounts.selectors import grant_requests_visible_to
from qinqing.audit.models import AuditRecord

A = AuditRecord.Action
S = GrantRequest.State


@pytest.fixture
def approval(settings, world):
    settings.QINQING_GRANT_APPROVAL = True
    world.secadmin2 = User.objects.create_user(
        username="secadmin2", password="pw-qinqing-1", role=Role.SECADMIN, is_staff=True
    )
    return world


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def change(c: Client, target: User, **fields):
    data = {
        "username": target.username,
        "role": target.role,
        "department": target.department_id or "",
        "region": target.region_id or "",
        "enterprise": target.enterprise_id or "",
        "is_active": "on" if target.is_active else "",
        "is_staff": "on" if target.is_staff else "",
        "date_joined_0": "2026-11-01",
        "date_joined_1": "09:00:00",
        "full_name": target.full_name,
        "mobile": "",
    }
    data.update(fields)
    return c.post(f"/admin/accounts/user/{target.pk}/change/", data, REMOTE_ADDR="10.9.9.9")


def test_a_grant_giving_case_access_waits_for_a_second_security_administrator(approval):
    w = approval
    target = w.handler_land
    r = change(signed_in(w.secadmin), target, role=Role.DEPT_HEAD)
    assert r.status_code == 302
    target.refresh_from_db()
    assert target.role == Role.HANDLER  # not yet
    grant = GrantRequest.objects.get()
    assert grant.state == S.PENDING and grant.requested_by == w.secadmin
    assert grant.proposed["role"] == Role.DEPT_HEAD and grant.before["role"] == Role.HANDLER
    asked = AuditRecord.objects.get(action=A.GRANT_REQUESTED)
    assert asked.actor == w.secadmin and asked.target == target.username
    assert asked.detail["changes"] == {"role": [Role.HANDLER, Role.DEPT_HEAD]}
    assert not AuditRecord.objects.filter(action=A.ROLE_CHANGED, actor=w.secadmin).exists()

    second = signed_in(w.secadmin2)
    page = second.get("/grants/").content.decode()
    assert "角色 部门经办人 → 部门负责人" in page and "批准授权" in page
    r = second.post(
        f"/grants/{grant.pk}/", {"action": "approve", "note": "核实岗位调整文件"}, REMOTE_ADDR="10.9.9.8"
    )
    assert r.status_code == 302
    target.refresh_from_db()
    grant.refresh_from_db()
    assert target.role == Role.DEPT_HEAD and grant.state == S.APPROVED and grant.decided_by == w.secadmin2
    applied = AuditRecord.objects.get(action=A.ROLE_CHANGED, target=target.username, actor__isnull=False)
    assert applied.actor == w.secadmin2 and applied.detail["grant"] == grant.pk
    approved = AuditRecord.objects.get(action=A.GRANT_APPROVED)
    assert approved.actor == w.secadmin2 and approved.detail["note"] == "核实岗位调整文件"
    assert approved.ip_address == "10.9.9.8"


def test_the_requester_cannot_approve_their_own_grant_but_may_withdraw_it(approval):
    w = approval
    change(signed_in(w.secadmin), w.handler_land, department=w.hr.pk)  # a move to another department
    grant = GrantRequest.objects.get()
    own = signed_in(w.secadmin)
    assert "批准授权" not in own.get("/grants/").content.decode()
    r = own.post(f"/grants/{grant.pk}/", {"action": "approve"}, follow=True)
    assert "您无权执行“批准授权”" in r.content.decode()
    w.handler_land.refresh_from_db()
    grant.refresh_from_db()
    assert w.handler_land.department == w.land and grant.state == S.PENDING
    own.post(f"/grants/{grant.pk}/", {"action": "withdraw"})
    grant.refresh_from_db()
    assert grant.state == S.WITHDRAWN and AuditRecord.objects.filter(action=A.GRANT_WITHDRAWN).exists()
    r = signed_in(w.secadmin2).post(f"/grants/{grant.pk}/", {"action": "approve"}, follow=True)
    assert "当前状态为“已撤回”，不能批准授权" in r.content.decode()
    w.handler_land.refresh_from_db()
    assert w.handler_land.department == w.land


def test_a_refused_grant_changes_nothing_and_bad_input_is_refused_in_chinese(approval):
    w = approval
    change(signed_in(w.secadmin), w.dispatcher_east, region=w.city.pk)  # widening: district → city
    grant = GrantRequest.objects.get()
    second = signed_in(w.secadmin2)
    r = second.post(f"/grants/{grant.pk}/", {"action": "grant-all"}, follow=True)
    assert "操作：取值不在允许范围内" in r.content.decode()
    r = second.post(f"/grants/{grant.pk}/", {"action": "approve", "note": "长" * 501}, follow=True)
    assert "意见：长度不能超过500个字符" in r.content.decode()
    grant.refresh_from_db()
    assert grant.state == S.PENDING
    second.post(f"/grants/{grant.pk}/", {"action": "refuse", "note": "无调岗文件"})
    grant.refresh_from_db()
    w.dispatcher_east.refresh_from_db()
    assert grant.state == S.REFUSED and w.dispatcher_east.region == w.east
    assert AuditRecord.objects.get(action=A.GRANT_REFUSED).actor == w.secadmin2


def test_an_approval_of_a_stale_request_is_refused(approval):
    w = approval
    change(signed_in(w.secadmin), w.handler_land, role=Role.DEPT_HEAD)
    grant = GrantRequest.objects.get()
    w.handler_land.is_active = False  # deactivated meanwhile
    w.handler_land.save()
    r = signed_in(w.secadmin2).post(f"/grants/{grant.pk}/", {"action": "approve"}, follow=True)
    assert "申请之后该账号的角色或范围已有变更" in r.content.decode()
    w.handler_land.refresh_from_db()
    grant.refresh_from_db()
    assert w.handler_land.role == Role.HANDLER and grant.state == S.PENDING


def test_narrowing_and_administrator_roles_take_effect_at_once(approval):
    w = approval
    c = signed_in(w.secadmin)
    assert change(c, w.handler_hr, department=w.hr_unit.pk).status_code == 302  # into a sub-unit
    w.handler_hr.refresh_from_db()
    assert w.handler_hr.department == w.hr_unit
    assert change(c, w.dispatcher, region=w.east.pk).status_code == 302  # city → a district of it
    w.dispatcher.refresh_from_db()
    assert w.dispatcher.region == w.east
    assert change(c, w.handler_power, role=Role.AUDITOR, department="").status_code == 302  # reads no case
    w.handler_power.refresh_from_db()
    assert w.handler_power.role == Role.AUDITOR
    assert change(c, w.handler_land, is_active="").status_code == 302  # deactivation
    w.handler_land.refresh_from_db()
    assert not w.handler_land.is_active
    assert not GrantRequest.objects.exists()
    change(c, w.handler_land, is_active="on")  # reactivation gives access again: waits
    w.handler_land.refresh_from_db()
    assert not w.handler_land.is_active and GrantRequest.objects.get().proposed["is_active"] == "True"


@pytest.mark.parametrize("who", ["sysadmin", "auditor", "dispatcher", "head_hr"])
def test_nobody_but_a_security_administrator_sees_or_decides_grants(approval, who):
    w = approval
    change(signed_in(w.secadmin), w.handler_land, role=Role.DEPT_HEAD)
    grant = GrantRequest.objects.get()
    c = signed_in(getattr(w, who))
    assert c.get("/grants/").status_code == 404
    assert c.post(f"/grants/{grant.pk}/", {"action": "approve"}).status_code == 404
    grant.refresh_from_db()
    assert grant.state == S.PENDING
    assert not grant_requests_visible_to(getattr(w, who)).exists()


def test_without_the_setting_grants_apply_at_once(world, settings):
    settings.QINQING_GRANT_APPROVAL = False
    change(signed_in(world.secadmin), world.handler_land, role=Role.DEPT_HEAD)
    world.handler_land.refresh_from_db()
    assert world.handler_land.role == Role.DEPT_HEAD and not GrantRequest.objects.exists()


# ---------------------------------------------------------------- break-glass superuser


def test_createsuperuser_is_refused_without_break_glass_and_a_reason(db):
    with pytest.raises(CommandError, match="亲清不设超级管理员"):
        call_command("createsuperuser", "--noinput", "--username", "root", "--email", "r@example.cn")
    with pytest.raises(CommandError, match="写明原因"):
        call_command(
            "createsuperuser", "--noinput", "--username", "root", "--email", "r@example.cn", "--break-glass"
        )
    assert not User.objects.filter(is_superuser=True).exists()


def test_a_break_glass_superuser_is_created_and_audited(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Break-Glass-2026!x")
    call_command(
        "createsuperuser",
        "--noinput",
        "--username",
        "root",
        "--email",
        "r@example.cn",
        "--break-glass",
        "--reason",
        "安全管理员账号全部被锁，恢复访问",
    )
    root = User.objects.get(username="root")
    assert root.is_superuser
    row = AuditRecord.objects.get(action=A.BREAK_GLASS)
    assert row.detail["account"] == "root" and row.detail["reason"] == "安全管理员账号全部被锁，恢复访问"
    assert row.target == "root" and "createsuperuser" in row.username
