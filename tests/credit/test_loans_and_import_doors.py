"""信易贷 requests (conditions checked, passed to the bank contact, outcome recorded), the import through the page
and the API (the authority only; others 404), and the demo data."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from qinqing.core.errors import InvalidInput, NotPermitted, TransitionNotAllowed
from qinqing.credit import actions, inputs, services
from qinqing.credit.models import CreditEntry, CreditList, CreditRequest, ImportBatch, LoanRequest
from qinqing.supervision.models import Notification
from tests.credit.conftest import client_for

HEADER = "uscc,name,reason,decision_no,decided_on,display_until\n"


def test_a_restricted_enterprise_is_refused_with_the_reason(credit, clock):
    product = credit.product()
    with pytest.raises(TransitionNotAllowed, match="拖欠农民工工资失信联合惩戒对象名单"):
        actions.apply_loan(
            credit.world.ent_user_a, inputs.LoanIn(product=product.pk, amount=50, purpose="购料")
        )
    checks = services.loan_checks(product, credit.world.ent_a)
    assert [c.met for c in checks] == [False]
    # Its removal restores it.
    credit.entry_a.delete()
    assert [c.met for c in services.loan_checks(product, credit.world.ent_a)] == [True]


def test_loan_passes_to_the_bank_and_the_outcome_is_recorded(credit, clock):
    world = credit.world
    credit.entry_a.delete()
    product = credit.product(min_tax_grade="B")
    assert services.loan_checks(product, world.ent_a)[-1].met is None  # grade unknown: the bank decides
    with pytest.raises(InvalidInput):
        actions.apply_loan(world.ent_user_a, inputs.LoanIn(product=product.pk, amount=5000, purpose="购料"))
    loan = actions.apply_loan(world.ent_user_a, inputs.LoanIn(product=product.pk, amount=100, purpose="购料"))
    assert Notification.objects.filter(recipient=world.dispatcher_east, title__contains="信易贷").exists()
    with pytest.raises(NotPermitted):
        actions.loan_step(world.ent_user_a, loan.pk, "pass", inputs.LoanStepIn())
    with pytest.raises(TransitionNotAllowed):
        actions.loan_step(world.dispatcher_east, loan.pk, "grant", inputs.LoanStepIn(granted_amount=80))
    actions.loan_step(world.dispatcher_east, loan.pk, "pass", inputs.LoanStepIn(note="已电话联系王经理"))
    with pytest.raises(InvalidInput, match="放款金额"):
        actions.loan_step(world.dispatcher_east, loan.pk, "grant", inputs.LoanStepIn())
    page = client_for(world.dispatcher_east).post(
        reverse("credit:loan_act", args=[loan.pk, "grant"]), {"granted_amount": "80", "note": "已放款"}
    )
    assert page.status_code == 302
    loan.refresh_from_db()
    assert loan.state == LoanRequest.State.GRANTED and loan.granted_amount == 80
    assert Notification.objects.filter(recipient=world.ent_user_a, title__contains="已放款").exists()
    # Another enterprise and another district's office do not see it.
    for user in (world.ent_user_b, world.dispatcher_west):
        assert client_for(user).get(reverse("credit:loan", args=[loan.pk])).status_code == 404
        assert client_for(user).get(f"/api/credit/loans/{loan.pk}").status_code == 404


def test_red_list_only_product(credit, clock):
    product = credit.product(red_list_only=True)
    with pytest.raises(TransitionNotAllowed, match="红名单"):
        actions.apply_loan(credit.world.ent_user_b, inputs.LoanIn(product=product.pk, amount=50, purpose="x"))
    credit.entry(credit.red, credit.world.ent_b, decision_no="A级")
    listed = client_for(credit.world.ent_user_b).get("/api/credit/products").json()
    assert listed[0]["eligible"] is False  # still on the restrictive list
    product.exclude_restricted = False
    product.save()
    api = client_for(credit.world.ent_user_b).post(
        "/api/credit/loans",
        {"product": product.pk, "amount": 50, "purpose": "扩产"},
        content_type="application/json",
    )
    assert api.status_code == 201, api.json()


def test_import_through_page_and_api_for_the_authority_only(credit, clock):
    world = credit.world
    body = (
        HEADER + f"{world.ent_a.uscc.lower()},甲,拖欠工资,青人社惩〔2026〕9号,2026-10-01,2029-10-01\n"
    ).encode("gbk")
    page = client_for(world.handler_hr).post(
        reverse("credit:list_import", args=[credit.wages.pk]), {"file": SimpleUploadedFile("名单.csv", body)}
    )
    batch = ImportBatch.objects.get()
    assert page.status_code == 302 and page.url == reverse("credit:batch", args=[batch.pk])
    assert (batch.added, batch.removed, batch.source) == (1, 3, "page")  # the file is the whole list
    api = client_for(world.head_hr).post(
        f"/api/credit/lists/{credit.wages.pk}/import", {"file": SimpleUploadedFile("名单.csv", body)}
    )
    assert api.status_code == 201 and api.json()["summary"] == "added=0 changed=0 removed=0 refused=0"
    bad = client_for(world.head_hr).post(
        f"/api/credit/lists/{credit.wages.pk}/import", {"file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n")}
    )
    assert bad.status_code == 400 and "文件列不正确" in bad.json()["message"]
    missing = client_for(world.head_hr).post(f"/api/credit/lists/{credit.wages.pk}/import")
    assert missing.status_code == 400
    for user in (world.handler_power, world.ent_user_a, world.dispatcher_west, world.handler_hr_unit):
        assert (
            client_for(user)
            .post(
                f"/api/credit/lists/{credit.wages.pk}/import", {"file": SimpleUploadedFile("名单.csv", body)}
            )
            .status_code
            == 404
        )
        assert (
            client_for(user)
            .post(
                reverse("credit:list_import", args=[credit.wages.pk]),
                {"file": SimpleUploadedFile("名单.csv", body)},
            )
            .status_code
            == 404
        )
    assert ImportBatch.objects.count() == 2
    # The office of the authority's region imports too.
    assert (
        client_for(world.dispatcher)
        .post(f"/api/credit/lists/{credit.wages.pk}/import", {"file": SimpleUploadedFile("名单.csv", body)})
        .status_code
        == 201
    )


def test_pages_render(credit, clock):
    world = credit.world
    services.submit_request(entry=credit.entry_a, by=world.ent_user_a, kind="objection", reason="有误")
    credit.product()
    for user, url in [
        (world.ent_user_a, reverse("credit:status")),
        (world.ent_user_a, reverse("credit:entry", args=[credit.entry_a.pk])),
        (world.ent_user_a, reverse("credit:products")),
        (world.ent_user_a, reverse("credit:requests")),
        (world.handler_hr, reverse("credit:entries")),
        (world.handler_hr, reverse("credit:lists")),
        (world.handler_hr, reverse("credit:requests")),
        (world.dispatcher, reverse("credit:loans")),
    ]:
        response = client_for(user).get(url)
        assert response.status_code == 200, url
    entry_page = (
        client_for(world.ent_user_a).get(reverse("credit:entry", args=[credit.entry_a.pk])).content.decode()
    )
    assert "提出异议或信用修复申请" in entry_page
    assert '<option value="repair">信用修复申请</option>' in entry_page
    assert (
        "提出异议或信用修复申请"
        not in client_for(world.handler_hr)
        .get(reverse("credit:entry", args=[credit.entry_a.pk]))
        .content.decode()
    )
    lists_page = client_for(world.handler_hr).get(reverse("credit:lists")).content.decode()
    assert lists_page.count('type="file"') == 1  # only the list it is the authority of
    assert client_for(world.sysadmin).get(reverse("credit:entries")).status_code == 404


def test_seed_credit(db, clock):
    call_command("seed_demo", "--appeals", "5", stdout=io.StringIO())
    call_command("seed_credit", "--if-empty", stdout=io.StringIO())
    call_command("seed_credit", "--if-empty", stdout=io.StringIO())
    assert set(CreditList.objects.values_list("kind", flat=True)) == {"red", "serious", "abnormal", "other"}
    assert CreditEntry.objects.filter(enterprise__isnull=True).exists()
    assert CreditEntry.objects.filter(enterprise__users__username="qiye").exists()
    assert CreditRequest.objects.filter(submitted_by__username="qiye").exists()
    assert LoanRequest.objects.filter(submitted_by__username="qiye2").exists()
