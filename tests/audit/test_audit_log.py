"""The audit administrator's log: settings changes with before and after, 红黑榜 publishing, details in Chinese,
filters by actor, action, object and date, and the Excel export (itself audited)."""

import datetime as dt
import io
from urllib.parse import quote

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from qinqing.appeals.models import TimeLimit
from qinqing.audit.models import AuditRecord
from qinqing.core.models import CalendarOverride
from qinqing.supervision import honours
from qinqing.supervision.models import EvaluationWeights

A = AuditRecord.Action


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_a_settings_change_in_the_admin_records_before_and_after(world):
    weights = EvaluationWeights.objects.create()
    c = signed_in(world.sysadmin)
    r = c.post(
        f"/admin/supervision/evaluationweights/{weights.pk}/change/",
        {"sign": 10, "on_time": 40, "resolution": 15, "satisfaction": 35},
        REMOTE_ADDR="10.6.6.6",
    )
    assert r.status_code == 302, r.content.decode()[:500]
    row = AuditRecord.objects.filter(action=A.SETTING_CHANGED).order_by("-id").first()
    assert row is not None and row.actor == world.sysadmin and row.ip_address == "10.6.6.6"
    assert row.detail["model"] == "supervision.EvaluationWeights" and row.detail["verb"] == "change"
    assert row.detail["changes"] == {"on_time": ["35", "40"], "resolution": ["20", "15"]}
    assert row.target == f"supervision.EvaluationWeights#{weights.pk}"
    body = signed_in(world.auditor).get("/audit/security/", {"action": A.SETTING_CHANGED}).content.decode()
    assert "按期办结率权重 35 → 40" in body and "综合评分权重" in body and "on_time" not in body


def test_settings_changed_outside_the_admin_are_recorded_too(world):
    limit = TimeLimit.objects.get(step="handle", category=None, urgency="")
    limit.working_days = 12
    limit.save()
    row = AuditRecord.objects.filter(action=A.SETTING_CHANGED, target=f"appeals.TimeLimit#{limit.pk}").get()
    assert row.actor is None and row.detail["changes"]["working_days"][1] == "12"
    day = CalendarOverride.objects.create(day=dt.date(2026, 12, 5), is_workday=True, note="调休")
    day.delete()
    verbs = list(
        AuditRecord.objects.filter(target__startswith="core.CalendarOverride#").values_list(
            "detail__verb", flat=True
        )
    )
    assert verbs == ["delete", "add"]  # newest first
    before = AuditRecord.objects.count()
    limit.save()  # nothing changed: nothing recorded
    assert AuditRecord.objects.count() == before


def test_publishing_the_honour_list_is_recorded(world, clock):
    for _ in range(5):  # enough appeals received in November to be ranked
        world.closed()
    clock.move_to(dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    published = honours.publish(by=world.dispatcher, month=dt.date(2026, 11, 1))  # a finished month
    row = AuditRecord.objects.get(action=A.HONOURS_PUBLISHED)
    assert row.actor == world.dispatcher and row.target == f"红黑榜#{published.pk}"
    assert row.detail["month"] == "2026-11" and row.detail["region"] == world.city.name


def test_role_grants_show_in_chinese_with_names(world):
    target = world.handler_land
    target.role, target.department = "dept_head", world.hr
    target.save()
    body = signed_in(world.auditor).get("/audit/security/", {"action": A.ROLE_CHANGED}).content.decode()
    assert "角色 部门经办人 → 部门负责人" in body
    assert f"所属部门 {world.land.name} → {world.hr.name}" in body
    assert "dept_head" not in body and "department" not in body


def test_the_log_filters_by_actor_action_object_and_date_range(world):
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC), tick=False):
        a = world.submit()
        signed_in(world.dispatcher).post(f"/appeals/{a.number}/contact/")
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC), tick=False):
        b = world.submit()
        signed_in(world.dispatcher).post(f"/appeals/{b.number}/contact/")
    reveals = AuditRecord.objects.filter(action=A.CONTACT_REVEALED)
    assert sorted(reveals.values_list("target", flat=True)) == sorted([a.number, b.number])
    auditor = signed_in(world.auditor)

    def shown(**query) -> str:
        r = auditor.get("/audit/security/", query)
        assert r.status_code == 200
        return r.content.decode()

    assert a.number in shown(target=a.number) and b.number not in shown(target=a.number)
    ranged = shown(start="2026-11-10", end="2026-11-30", action=A.CONTACT_REVEALED)
    assert b.number in ranged and a.number not in ranged
    assert a.number in shown(end="2026-11-05", actor=world.dispatcher.username)
    assert "没有记录" in shown(actor="nobody", target=a.number)
    assert "日期格式应为" in shown(start="2026-13-01")


def test_the_log_exports_to_excel_and_the_export_is_audited(world):
    a = world.submit()
    signed_in(world.dispatcher).post(f"/appeals/{a.number}/contact/")
    r = signed_in(world.auditor).get("/audit/security/export/", {"target": a.number}, REMOTE_ADDR="10.7.7.7")
    assert r.status_code == 200 and quote("安全审计日志") in r["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("时间", "操作", "结果", "账号")
    assert len(rows) == 2 and rows[1][1] == "查看完整联系电话" and rows[1][7] == a.number
    export = AuditRecord.objects.get(action=A.EXPORT, actor=world.auditor)
    assert export.detail["file"].startswith("安全审计日志") and export.detail["query"] == f"target={a.number}"
    assert export.ip_address == "10.7.7.7"


@pytest.mark.parametrize("who", ["dispatcher", "sysadmin", "secadmin", "leader"])
def test_nobody_but_the_audit_administrator_exports_the_log(world, who):
    r = signed_in(getattr(world, who)).get("/audit/security/export/")
    assert r.status_code == 404
    assert not AuditRecord.objects.filter(action=A.EXPORT).exists()


def test_a_new_department_is_recorded_with_its_fields_in_chinese(world):
    from qinqing.organisation.models import Department

    made = Department.objects.create(name="市数据局", region=world.city)
    row = AuditRecord.objects.get(action=A.SETTING_CHANGED, target=f"organisation.Department#{made.pk}")
    assert row.detail["verb"] == "add" and "path" not in row.detail["changes"]
    assert row.detail["changes"]["name"] == ["", "市数据局"]
    body = (
        signed_in(world.auditor).get("/audit/security/", {"target": f"Department#{made.pk}"}).content.decode()
    )
    assert f"{world.city.name}" in body and "新增" in body
