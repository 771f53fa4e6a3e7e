"""Redemption (兑现) as a tracked case: every transition and refusal, the budget, the lights and the sweep, the
one-click appeal, the fee report, permissions (an enterprise never sees another's case; a department only its
items' cases; the office its region), figures and their Excel export, bad input in Chinese with nothing saved."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from qinqing.appeals.models import Appeal
from qinqing.audit.models import AuditRecord
from qinqing.core.errors import InvalidInput, NotPermitted, TransitionNotAllowed
from qinqing.policies import inputs, matching, workflow
from qinqing.policies import redemption_selectors as rs
from qinqing.policies import redemption_services as services
from qinqing.policies.models import (
    CaseEvent,
    CaseState,
    Mode,
    RedemptionAppeal,
    RedemptionCase,
    RedemptionEvent,
    RedemptionMaterial,
)
from qinqing.supervision.models import Notification, NotificationDelivery
from tests.conftest import at


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def api(world, user, method, path, body=None):
    kw = {"HTTP_AUTHORIZATION": f"Bearer {world.token(user)}"}
    c = Client()
    if body is not None:
        return getattr(c, method)(
            f"/api/policies{path}", data=json.dumps(body), content_type="application/json", **kw
        )
    return getattr(c, method)(f"/api/policies{path}", **kw)


ACCOUNT = inputs.AccountIn(
    bank_name="青川农商银行", account_name="东城恒信机械有限公司", account_no="6222020200112233"
)


def pdf(name="申报表.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", "application/pdf")


@pytest.fixture
def auto_item(lib, clock):
    world = lib.world
    lib.attr(world.ent_a, "employees", "50")
    lib.attr(world.ent_b, "employees", "80")
    item = lib.item(
        "稳岗返还", conditions=[("employees", "gte", "10")], amount_rule="固定 20", budget=Decimal("30")
    )
    matching.run(push=False)
    return item


@pytest.fixture
def apply_item(lib, clock):
    return lib.item(
        "研发费用补助", mode=Mode.APPLICATION, amount_rule="固定 10", budget=Decimal("15"), limit_days=20
    )


def candidates(world, item):
    assert services.open_candidates([item.pk]) == 2
    return (
        RedemptionCase.objects.get(item=item, enterprise=world.ent_a),
        RedemptionCase.objects.get(item=item, enterprise=world.ent_b),
    )


def kinds(case):
    return list(RedemptionEvent.objects.filter(case=case).values_list("kind", flat=True))


def test_automatic_case_from_candidate_to_payment(world, auto_item, clock):
    a, _ = candidates(world, auto_item)
    assert services.open_candidates([auto_item.pk]) == 0  # idempotent
    assert a.state == CaseState.CANDIDATE and a.amount == Decimal("20.00") and a.light() == "green"
    a = services.confirm(case=a, by=world.handler_hr, data=inputs.CaseConfirmIn())
    assert a.state == CaseState.DEPT_CONFIRMED and a.deadline is None  # the enterprise's turn: no light
    assert Notification.objects.filter(recipient=world.ent_user_a, kind="redemption").count() == 1
    a = services.accept(case=a, by=world.ent_user_a, data=ACCOUNT)
    assert a.state == CaseState.ENT_CONFIRMED
    assert Notification.objects.filter(recipient=world.handler_hr, kind="redemption_task").exists()
    a = services.publish(case=a, by=world.handler_hr)
    assert a.state == CaseState.PUBLICITY and a.objection_until == dt.date(2026, 11, 23)
    assert rs.publicity(world.ent_user_b, auto_item)[0]["name"] == "东城＊＊＊＊有限公司"
    assert services.sweep().publicity_closed == 0  # still within the window
    clock.move_to(at(2026, 11, 24))
    assert services.sweep().publicity_closed == 1
    a.refresh_from_db()
    assert a.state == CaseState.TO_PAY
    a = services.pay(
        case=a,
        by=world.handler_hr,
        data=inputs.PayIn(amount=20, paid_on=dt.date(2026, 11, 24), voucher_no="青财拨〔2026〕88号"),
    )
    assert a.state == CaseState.PAID and a.paid_amount == Decimal("20.00")
    assert kinds(a) == [
        CaseEvent.CANDIDATE,
        CaseEvent.CONFIRMED,
        CaseEvent.ACCEPTED,
        CaseEvent.PUBLISHED,
        CaseEvent.PUBLICITY_ENDED,
        CaseEvent.PAID,
    ]
    paid = Notification.objects.get(recipient=world.ent_user_a, kind="redemption_paid")
    assert "20万元" in paid.body and "2233" in paid.body
    assert NotificationDelivery.objects.filter(
        notification=paid, channel="sms", address="13800000001"
    ).exists()


def test_every_refusal_of_the_automatic_machine(world, auto_item):
    a, b = candidates(world, auto_item)
    with pytest.raises(NotPermitted):  # the enterprise cannot confirm its own candidacy
        services.confirm(case=a, by=world.ent_user_a, data=inputs.CaseConfirmIn())
    with pytest.raises(NotPermitted):  # another department
        services.confirm(case=a, by=world.handler_power, data=inputs.CaseConfirmIn())
    with pytest.raises(TransitionNotAllowed, match="候选"):
        services.accept(case=a, by=world.ent_user_a, data=ACCOUNT)
    with pytest.raises(TransitionNotAllowed):
        services.pay(
            case=a,
            by=world.handler_hr,
            data=inputs.PayIn(amount=1, paid_on=dt.date(2026, 11, 16), voucher_no="x"),
        )
    with pytest.raises(InvalidInput, match="理由"):
        services.exclude(case=b, by=world.handler_hr, data=inputs.RedemptionReasonIn(reason="  "))
    b = services.exclude(case=b, by=world.handler_hr, data=inputs.RedemptionReasonIn(reason="已享受同类补助"))
    assert b.state == CaseState.EXCLUDED and b.reason == "已享受同类补助"
    with pytest.raises(TransitionNotAllowed):
        services.confirm(case=b, by=world.handler_hr, data=inputs.CaseConfirmIn())
    a = services.confirm(case=a, by=world.head_hr, data=inputs.CaseConfirmIn())  # a head above the department
    with pytest.raises(NotPermitted):  # another enterprise cannot answer for it
        services.accept(case=a, by=world.ent_user_b, data=ACCOUNT)
    with pytest.raises(InvalidInput) as bad:
        services.accept(
            case=a,
            by=world.ent_user_a,
            data=inputs.AccountIn(bank_name="青川银行", account_name="东城", account_no="12AB34"),
        )
    assert bad.value.errors == {"account_no": ["银行账号应为8至30位数字"]}
    a.refresh_from_db()
    assert a.state == CaseState.DEPT_CONFIRMED and a.account_no == ""  # nothing saved half
    a = services.waive(case=a, by=world.ent_user_a, data=inputs.WaiveIn(reason="本年度不申领"))
    assert a.state == CaseState.WAIVED
    with pytest.raises(TransitionNotAllowed):
        services.publish(case=a, by=world.handler_hr)


def test_budget_refuses_a_confirmation_beyond_it(world, auto_item):
    a, b = candidates(world, auto_item)
    services.confirm(case=a, by=world.handler_hr, data=inputs.CaseConfirmIn())
    assert rs.budget_left(auto_item) == Decimal("10")
    with pytest.raises(InvalidInput) as refused:
        services.confirm(case=b, by=world.handler_hr, data=inputs.CaseConfirmIn())
    assert refused.value.errors == {"amount": ["本事项剩余预算10万元，不足以兑现20万元"]}
    b.refresh_from_db()
    assert b.state == CaseState.CANDIDATE and kinds(b) == [CaseEvent.CANDIDATE]
    with pytest.raises(InvalidInput, match="上限"):
        auto_item.amount_cap = Decimal("5")
        auto_item.save()
        services.confirm(case=b, by=world.handler_hr, data=inputs.CaseConfirmIn(amount=8))
    services.confirm(case=b, by=world.handler_hr, data=inputs.CaseConfirmIn(amount=5))
    assert rs.budget_left(auto_item) == Decimal("5")


def test_objection_during_publicity_goes_to_the_office(world, auto_item, clock):
    a, b = candidates(world, auto_item)
    for case in (a, b):
        case = services.confirm(case=case, by=world.handler_hr, data=inputs.CaseConfirmIn(amount=10))
        case = services.accept(
            case=case,
            by=world.ent_user_a if case.enterprise == world.ent_a else world.ent_user_b,
            data=ACCOUNT,
        )
        services.publish(case=case, by=world.handler_hr)
    with pytest.raises(NotPermitted):  # the enterprise cannot object to itself
        services.object_to(case=a, by=world.ent_user_a, data=inputs.ObjectionIn(reason="自己对自己有异议"))
    a = services.object_to(
        case=a, by=world.ent_user_b, data=inputs.ObjectionIn(reason="该企业去年已停产，员工不足十人")
    )
    assert a.state == CaseState.OBJECTED and a.light() == "green"
    assert Notification.objects.filter(recipient=world.dispatcher_east, kind="redemption_object").exists()
    with pytest.raises(NotPermitted):  # the west office does not hold an east enterprise's case
        services.dismiss(case=a, by=world.dispatcher_west, data=inputs.RedemptionReasonIn(reason="核实无误"))
    with pytest.raises(NotPermitted):
        services.dismiss(case=a, by=world.handler_hr, data=inputs.RedemptionReasonIn(reason="核实无误"))
    a = services.dismiss(
        case=a, by=world.dispatcher_east, data=inputs.RedemptionReasonIn(reason="经核实参保人数符合")
    )
    assert a.state == CaseState.TO_PAY
    b = services.object_to(
        case=b, by=world.ent_user_a, data=inputs.ObjectionIn(reason="该企业参保人数系挂靠")
    )
    b = services.uphold(
        case=b, by=world.dispatcher, data=inputs.RedemptionReasonIn(reason="经核实存在挂靠参保")
    )
    assert b.state == CaseState.REVOKED
    assert rs.budget_left(auto_item) == Decimal("20")  # a revoked case no longer holds budget


def test_application_approved_within_budget_then_paid(world, apply_item, clock):
    data = inputs.ApplyIn(application="上年度研发投入520万元", **ACCOUNT.dict())
    with pytest.raises(InvalidInput, match="申报材料"):
        services.apply(item=apply_item, by=world.ent_user_a, data=data, files=[])
    assert not RedemptionCase.objects.exists()  # nothing saved half
    with pytest.raises(InvalidInput, match="内容"):
        services.apply(
            item=apply_item,
            by=world.ent_user_a,
            data=data,
            files=[SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")],
        )
    assert not RedemptionCase.objects.exists()
    with pytest.raises(NotPermitted):
        services.apply(item=apply_item, by=world.handler_hr, data=data, files=[pdf()])
    case = services.apply(item=apply_item, by=world.ent_user_a, data=data, files=[pdf()])
    assert case.state == CaseState.REVIEWING and case.step_days == 20
    assert case.deadline.date() == dt.date(2026, 12, 14)  # 20 working days after Monday 2026-11-16
    assert RedemptionMaterial.objects.filter(case=case).count() == 1
    with pytest.raises(TransitionNotAllowed, match="已申请"):
        services.apply(item=apply_item, by=world.ent_user_a, data=data, files=[pdf()])
    other = services.apply(item=apply_item, by=world.ent_user_b, data=data, files=[pdf()])
    case = services.approve(case=case, by=world.handler_hr, data=inputs.ApproveIn())
    assert case.state == CaseState.APPROVED and case.amount == Decimal("10.00")
    with pytest.raises(InvalidInput, match="超出资金预算") as over:
        services.approve(case=other, by=world.handler_hr, data=inputs.ApproveIn())
    assert over.value.errors == {"amount": ["本事项剩余预算5万元，不足以兑现10万元"]}
    with pytest.raises(InvalidInput) as bad:
        services.pay(
            case=case,
            by=world.handler_hr,
            data=inputs.PayIn(amount=12, paid_on=dt.date(2026, 11, 17), voucher_no="V1"),
        )
    assert bad.value.errors == {"amount": ["不能超过核定金额10万元"], "paid_on": ["拨付日期不能晚于今天"]}
    case = services.pay(
        case=case,
        by=world.handler_hr,
        data=inputs.PayIn(amount=10, paid_on=dt.date(2026, 11, 16), voucher_no="V1"),
    )
    assert case.state == CaseState.PAID
    assert kinds(case) == [CaseEvent.APPLIED, CaseEvent.APPROVED, CaseEvent.PAID]


def test_automatic_items_take_no_application(world, auto_item):
    data = inputs.ApplyIn(application="申请", **ACCOUNT.dict())
    with pytest.raises(TransitionNotAllowed, match="免申即享"):
        services.apply(item=auto_item, by=world.ent_user_a, data=data, files=[pdf()])


def test_refused_case_raises_an_appeal_with_one_click(world, apply_item):
    case = services.apply(
        item=apply_item,
        by=world.ent_user_a,
        data=inputs.ApplyIn(application="申请", **ACCOUNT.dict()),
        files=[pdf()],
    )
    with pytest.raises(TransitionNotAllowed, match="未超期"):
        services.raise_appeal(case=case, by=world.ent_user_a)
    with pytest.raises(InvalidInput):
        services.refuse(case=case, by=world.handler_hr, data=inputs.RedemptionReasonIn(reason=" "))
    case = services.refuse(
        case=case, by=world.handler_hr, data=inputs.RedemptionReasonIn(reason="研发费用未经专项审计")
    )
    assert case.state == CaseState.REFUSED
    assert "appeal" in [a.name for a in workflow.available_actions(case, world.ent_user_a)]
    with pytest.raises(NotPermitted):
        services.raise_appeal(case=case, by=world.ent_user_b)
    r = client_for(world.ent_user_a).post(f"/policies/redemption/{case.pk}/", {"do": "appeal"})
    appeal = Appeal.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/appeals/{appeal.number}/"
    assert appeal.category.code == "policy" and "研发费用未经专项审计" in appeal.content
    assert RedemptionAppeal.objects.get(case=case).appeal == appeal
    r = api(world, world.ent_user_a, "post", f"/redemption/cases/{case.pk}/appeal")
    assert r.status_code == 409 and "已就该兑现事项提出过诉求" in r.json()["message"]
    assert Appeal.objects.count() == 1


def test_late_steps_escalate_once_and_may_be_appealed(world, apply_item, clock):
    case = services.apply(
        item=apply_item,
        by=world.ent_user_a,
        data=inputs.ApplyIn(application="申请", **ACCOUNT.dict()),
        files=[pdf()],
    )
    clock.move_to(at(2026, 12, 10))
    case.refresh_from_db()
    assert case.light() == "yellow"
    assert services.sweep().escalated == 0
    clock.move_to(at(2026, 12, 15))
    assert services.sweep().escalated == 1
    assert services.sweep().escalated == 0  # once per step
    late = Notification.objects.filter(kind="redemption_late")
    assert {n.recipient for n in late} == {world.head_hr, world.dispatcher, world.dispatcher_east}
    case.refresh_from_db()
    assert case.light() == "red" and kinds(case)[-1] == CaseEvent.ESCALATED
    appeal = services.raise_appeal(case=case, by=world.ent_user_a)
    assert "超期" in appeal.content


def test_an_enterprise_never_sees_another_s_case_a_department_only_its_items(world, auto_item):
    a, b = candidates(world, auto_item)
    assert client_for(world.ent_user_b).get(f"/policies/redemption/{a.pk}/").status_code == 404
    assert api(world, world.ent_user_b, "get", f"/redemption/cases/{a.pk}").status_code == 404
    assert [c["id"] for c in api(world, world.ent_user_b, "get", "/redemption/cases").json()] == [b.pk]
    assert api(world, world.handler_power, "get", "/redemption/cases").json() == []
    assert client_for(world.handler_power).get(f"/policies/redemption/{a.pk}/").status_code == 404
    r = api(world, world.handler_power, "post", f"/redemption/cases/{a.pk}/confirm", {})
    assert r.status_code == 404
    assert {c["id"] for c in api(world, world.handler_hr, "get", "/redemption/cases").json()} == {a.pk, b.pk}
    assert [c["id"] for c in api(world, world.dispatcher_west, "get", "/redemption/cases").json()] == [b.pk]
    assert client_for(world.dispatcher_west).get(f"/policies/redemption/{a.pk}/").status_code == 404
    # The account: whole for the enterprise and the paying department, masked for the office.
    services.confirm(case=a, by=world.handler_hr, data=inputs.CaseConfirmIn())
    services.accept(case=a, by=world.ent_user_a, data=ACCOUNT)
    assert (
        api(world, world.ent_user_a, "get", f"/redemption/cases/{a.pk}").json()["account_no"]
        == "6222020200112233"
    )
    assert (
        api(world, world.handler_hr, "get", f"/redemption/cases/{a.pk}").json()["account_no"]
        == "6222020200112233"
    )
    assert (
        api(world, world.dispatcher, "get", f"/redemption/cases/{a.pk}").json()["account_no"]
        == "＊＊＊＊2233"
    )


def test_api_bad_input_is_chinese_and_saves_nothing(world, auto_item):
    a, _ = candidates(world, auto_item)
    r = api(world, world.handler_hr, "post", f"/redemption/cases/{a.pk}/exclude", {"reason": ""})
    assert r.status_code == 422 and r.json()["errors"] == {"reason": ["此项为必填项"]}
    r = api(world, world.handler_hr, "post", f"/redemption/cases/{a.pk}/confirm", {"amount": -3})
    assert r.status_code in (400, 422)
    r = api(world, world.ent_user_a, "post", f"/redemption/cases/{a.pk}/accept", ACCOUNT.dict())
    assert r.status_code == 409 and "当前状态为“候选”" in r.json()["message"]
    r = api(world, world.handler_hr, "get", "/redemption/cases?state=nonsense")
    assert r.status_code == 400 and r.json()["errors"] == {"state": ["未知的兑现状态"]}
    a.refresh_from_db()
    assert a.state == CaseState.CANDIDATE and kinds(a) == [CaseEvent.CANDIDATE]
    r = api(world, world.ent_user_a, "post", "/fee-reports", {"content": "短"})
    assert r.status_code in (400, 422)
    assert not Appeal.objects.exists()


def test_the_api_walks_a_case_through(world, auto_item):
    a, _ = candidates(world, auto_item)
    r = api(world, world.handler_hr, "post", f"/redemption/cases/{a.pk}/confirm", {"note": "核对参保数据"})
    assert r.status_code == 200 and r.json()["state"] == "dept_confirmed"
    r = api(world, world.ent_user_a, "get", f"/redemption/cases/{a.pk}")
    assert r.json()["actions"] == ["accept", "waive"]
    r = api(world, world.ent_user_a, "post", f"/redemption/cases/{a.pk}/accept", ACCOUNT.dict())
    assert r.json()["state"] == "ent_confirmed"
    r = api(world, world.handler_hr, "post", f"/redemption/cases/{a.pk}/publish", {})
    assert r.json()["state"] == "publicity"
    listed = api(world, world.ent_user_b, "get", f"/items/{auto_item.pk}/publicity").json()
    assert listed[0]["enterprise"] == "东城＊＊＊＊有限公司" and listed[0]["open"] is True
    r = api(
        world, world.ent_user_b, "post", f"/redemption/cases/{a.pk}/object", {"reason": "员工人数与实际不符"}
    )
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "objected"
    r = api(world, world.dispatcher, "post", f"/redemption/cases/{a.pk}/dismiss", {"reason": "已核实"})
    assert r.json()["state"] == "to_pay"
    r = api(
        world,
        world.handler_hr,
        "post",
        f"/redemption/cases/{a.pk}/pay",
        {"amount": 20, "paid_on": "2026-11-16", "voucher_no": "V-1"},
    )
    assert r.json()["state"] == "paid" and [e["kind"] for e in r.json()["events"]][-1] == "paid"


def test_application_through_the_api_with_materials(world, apply_item):
    c = Client()
    r = c.post(
        f"/api/policies/items/{apply_item.pk}/apply",
        {"application": "申请", **ACCOUNT.dict(), "files": [pdf()]},
        HTTP_AUTHORIZATION=f"Bearer {world.token(world.ent_user_a)}",
    )
    assert r.status_code == 201, r.content
    assert r.json()["state"] == "reviewing" and r.json()["events"][0]["kind"] == "applied"


def test_figures_per_item_department_region_and_excel(world, auto_item, clock):
    a, b = candidates(world, auto_item)
    a = services.confirm(case=a, by=world.handler_hr, data=inputs.CaseConfirmIn())
    a = services.accept(case=a, by=world.ent_user_a, data=ACCOUNT)
    a = services.publish(case=a, by=world.handler_hr)
    clock.move_to(at(2026, 11, 24))
    services.sweep()
    a.refresh_from_db()
    services.pay(
        case=a,
        by=world.handler_hr,
        data=inputs.PayIn(amount=20, paid_on=dt.date(2026, 11, 24), voucher_no="V"),
    )
    [row] = rs.figures(world.dispatcher, "item")
    assert row["amount_paid"] == Decimal("20.00") and row["enterprises_paid"] == 1 and row["eligible"] == 2
    assert row["median_days"] == 6 and row["p90_days"] == 6.0  # 16 Nov → 24 Nov: six working days
    assert row["paid_share"] == 0.5 and row["budget_left"] == Decimal("10.00")
    # The index's computed leaf 惠企政策兑现用时 counts the same six working days (the median), by region.
    from qinqing.indices.computed import SOURCES

    timing = SOURCES["policies.redemption_days"].compute
    assert timing(world.city, dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == Decimal("6.00")
    assert timing(world.west, dt.date(2026, 1, 1), dt.date(2026, 12, 31)) is None
    regions = {r["name"]: r for r in rs.figures(world.dispatcher, "region")}
    assert regions["东城区"]["enterprises_paid"] == 1 and regions["西江区"]["enterprises_paid"] == 0
    assert [r["name"] for r in rs.figures(world.handler_hr, "department")] == ["市人社局"]
    assert rs.figures(world.handler_power, "item") == []
    east = rs.figures(world.dispatcher_east, "item")
    assert east[0]["eligible"] == 1 and east[0]["paid_share"] == 1.0
    assert rs.figures(world.ent_user_a, "item") == []
    r = client_for(world.dispatcher).get("/policies/redemption/figures/?by=item&export=xlsx")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet["A2"].value == "稳岗返还" and sheet["D2"].value == 20
    assert AuditRecord.objects.filter(action=AuditRecord.Action.EXPORT, actor=world.dispatcher).exists()
    assert api(world, world.ent_user_a, "get", "/redemption/figures").status_code == 403
    assert api(world, world.dispatcher, "get", "/redemption/figures?by=nonsense").status_code == 400
    assert client_for(world.ent_user_a).get("/policies/redemption/figures/").status_code == 404


def test_fee_report_is_an_appeal_of_its_own_category_linked_from_every_policy_page(world, auto_item):
    ent = client_for(world.ent_user_a)
    for url in ("/policies/", f"/policies/items/{auto_item.pk}/", "/policies/mine/", "/policies/redemption/"):
        page = ent.get(url).content.decode()
        assert "兑现免费，无需中介" in page and "/policies/report-fee/" in page, url
    r = ent.post(
        "/policies/report-fee/", {"content": "有中介自称可包过，索要服务费两万元", "item_id": auto_item.pk}
    )
    appeal = Appeal.objects.get()
    assert r.status_code == 302 and appeal.category.name == "惠企政策收费举报"
    assert "稳岗返还" in appeal.content and appeal.enterprise == world.ent_a
    assert client_for(world.handler_hr).get("/policies/report-fee/").status_code == 404
    r = api(world, world.handler_hr, "post", "/fee-reports", {"content": "有人索要费用"})
    assert r.status_code == 403


def test_pages_as_each_persona(world, auto_item):
    a, b = candidates(world, auto_item)
    page = client_for(world.handler_hr).get("/policies/redemption/queue/").content.decode()
    assert "东城恒信机械有限公司" in page and "生成候选名单" in page
    r = client_for(world.handler_hr).post(f"/policies/redemption/{a.pk}/", {"do": "confirm", "amount": "20"})
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.state == CaseState.DEPT_CONFIRMED
    page = client_for(world.ent_user_a).get(f"/policies/redemption/{a.pk}/").content.decode()
    assert 'id="form-accept"' in page and "部门二次确认" in page
    r = client_for(world.ent_user_a).post(
        f"/policies/redemption/{a.pk}/",
        {"do": "accept", "bank_name": "银行", "account_name": "东城恒信", "account_no": "abcdefg"},
    )
    a.refresh_from_db()
    assert a.state == CaseState.DEPT_CONFIRMED  # refused, shown as a message
    msgs = [str(m) for m in r.wsgi_request._messages]
    assert any("银行账号应为8至30位数字" in m for m in msgs)
    assert client_for(world.ent_user_a).get("/policies/redemption/").status_code == 200
    assert client_for(world.ent_user_a).get("/policies/redemption/queue/").status_code == 404
    assert client_for(world.dispatcher).get("/policies/redemption/queue/?state=candidate").status_code == 200
    assert client_for(world.ent_user_b).get(f"/policies/items/{auto_item.pk}/publicity/").status_code == 200
