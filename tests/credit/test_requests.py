"""Objection and repair requests: working-day deadlines, the authority decides, an accepted one ends the entry,
notifications; and who may see and do what (404 for what one may not see)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from qinqing.core.errors import NotPermitted, NotVisible, TransitionNotAllowed
from qinqing.credit import actions, inputs, selectors, services
from qinqing.credit.models import CreditEvent, CreditRequest, EndReason
from qinqing.supervision.models import Notification
from tests.conftest import TZ, at
from tests.credit.conftest import client_for


def file(credit, kind="objection", by=None, entry=None):
    return actions.file_request(
        by or credit.world.ent_user_a,
        (entry or credit.entry_a).pk,
        inputs.RequestIn(kind=kind, reason="工资已于2026年10月全部结清，附支付凭证"),
    )


def test_objection_deadline_counts_working_days_across_national_day(credit):
    with time_machine.travel(at(2026, 9, 30), tick=False):
        made = file(credit)
    # 5 working days after 30 Sept: 8, 9, 10 (a make-up Saturday), 12, 13 October.
    assert made.deadline == dt.datetime(2026, 10, 13, 23, 59, 59, tzinfo=TZ)
    assert made.light(at(2026, 10, 13, 9)) == "yellow"
    assert made.light(at(2026, 10, 14, 9)) == "red"
    assert made.light(at(2026, 10, 9, 9)) == "green"


def test_repair_deadline_is_fifteen_working_days_and_a_setting(credit, clock, settings):
    made = file(credit, kind="repair")
    assert made.deadline.date() == dt.date(2026, 12, 7)  # Monday 16 Nov + 15 working days
    settings.QINQING_CREDIT_OBJECTION_DAYS = 2
    other = file(credit)
    assert other.deadline.date() == dt.date(2026, 11, 18)


def test_the_authority_is_told_and_an_accepted_repair_ends_the_entry(credit, clock):
    world = credit.world
    made = file(credit, kind="repair")
    told = set(Notification.objects.filter(kind="credit").values_list("recipient__username", flat=True))
    assert told == {"handler_hr", "head_hr"}
    assert selectors.active_entries(world.ent_a.uscc)
    actions.request_step(
        world.handler_hr, made.pk, "accept", inputs.CreditDecideIn(outcome="经核实已结清，准予修复")
    )
    made.refresh_from_db()
    assert made.state == CreditRequest.State.ACCEPTED and made.on_time
    credit.entry_a.refresh_from_db()
    assert credit.entry_a.ended_reason == EndReason.REPAIRED
    assert not selectors.active_entries(world.ent_a.uscc)
    kinds = list(credit.entry_a.events.values_list("kind", flat=True))
    assert kinds == [CreditEvent.Kind.REQUESTED, CreditEvent.Kind.ACCEPTED, CreditEvent.Kind.ENDED]
    assert Notification.objects.filter(recipient=world.ent_user_a, title__contains="已支持").exists()


def test_a_refused_objection_keeps_the_entry(credit, clock):
    made = file(credit)
    actions.request_step(
        credit.world.head_hr, made.pk, "refuse", inputs.CreditDecideIn(outcome="经复核列入无误")
    )
    assert selectors.active_entries(credit.world.ent_a.uscc)
    with pytest.raises(TransitionNotAllowed, match="不能支持申请"):
        actions.request_step(
            credit.world.handler_hr, made.pk, "accept", inputs.CreditDecideIn(outcome="改判")
        )


def test_refusals(credit, clock):
    world = credit.world
    credit.entry_a.earliest_end = dt.date(2027, 3, 1)
    credit.entry_a.save()
    with pytest.raises(TransitionNotAllowed, match="最短公示期至2027-03-01届满"):
        file(credit, kind="repair")
    file(credit)
    with pytest.raises(TransitionNotAllowed, match="已有一件同类申请"):
        file(credit)
    # Another enterprise cannot even see the entry; staff cannot file for the enterprise.
    with pytest.raises(NotVisible):
        file(credit, by=world.ent_user_b)
    with pytest.raises(NotPermitted):
        file(credit, by=world.dispatcher)
    made = CreditRequest.objects.get()
    # A department that is not the authority does not see the request; the enterprise may not decide it.
    with pytest.raises(NotVisible):
        actions.request_step(world.handler_power, made.pk, "accept", inputs.CreditDecideIn(outcome="x"))
    with pytest.raises(NotPermitted):
        actions.request_step(world.ent_user_a, made.pk, "accept", inputs.CreditDecideIn(outcome="x"))
    actions.request_step(world.ent_user_a, made.pk, "withdraw", None)
    assert CreditRequest.objects.get().state == CreditRequest.State.WITHDRAWN


def test_red_list_has_no_repair(credit, clock):
    red = credit.entry(credit.red, credit.world.ent_a, decision_no="A级")
    with pytest.raises(TransitionNotAllowed, match="红名单条目无需信用修复"):
        file(credit, kind="repair", entry=red)


def test_list_without_authority_in_the_system_goes_to_the_office(credit, clock):
    red = credit.entry(credit.red, credit.world.ent_a, decision_no="A级")
    made = file(credit, entry=red)
    told = set(Notification.objects.filter(kind="credit").values_list("recipient__username", flat=True))
    assert told == {"dispatcher_city", "dispatcher_east"}
    actions.request_step(
        credit.world.dispatcher_east, made.pk, "refuse", inputs.CreditDecideIn(outcome="无误")
    )


def test_scopes(credit, clock):
    world = credit.world
    seen = {
        u: {e.pk for e in selectors.entries_visible_to(u)}
        for u in (
            world.ent_user_a,
            world.ent_user_b,
            world.dispatcher_east,
            world.dispatcher,
            world.handler_hr,
            world.handler_hr_unit,
            world.handler_power,
            world.head_hr,
            world.sysadmin,
            world.auditor,
        )
    }
    a, b, s = credit.entry_a.pk, credit.entry_b.pk, credit.stranger.pk
    assert seen[world.ent_user_a] == {a}
    assert seen[world.ent_user_b] == {b}
    assert seen[world.dispatcher_east] == {a}
    assert seen[world.dispatcher] == {
        a,
        b,
        s,
    }  # its region's enterprises and the lists of its region's authorities
    assert seen[world.handler_hr] == seen[world.head_hr] == {a, b, s}
    assert seen[world.handler_hr_unit] == seen[world.handler_power] == set()
    assert seen[world.sysadmin] == seen[world.auditor] == set()
    assert [e.pk for e in selectors.entries_for_enterprise(world.ent_user_b, world.ent_a)] == []


def test_pages_and_api_answer_404_for_what_one_may_not_see(credit, clock):
    world = credit.world
    made = file(credit)
    ent_b, power = client_for(world.ent_user_b), client_for(world.handler_power)
    for url in (
        reverse("credit:entry", args=[credit.entry_a.pk]),
        reverse("credit:request", args=[made.pk]),
        f"/api/credit/entries/{credit.entry_a.pk}",
        f"/api/credit/requests/{made.pk}",
    ):
        assert ent_b.get(url).status_code == 404, url
        assert power.get(url).status_code == 404, url
    assert (
        power.post(
            f"/api/credit/requests/{made.pk}/accept", {"outcome": "x"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert (
        power.post(reverse("credit:request_act", args=[made.pk, "accept"]), {"outcome": "x"}).status_code
        == 404
    )
    assert (
        ent_b.post(
            reverse("credit:entry_request", args=[credit.entry_a.pk]), {"kind": "objection", "reason": "x"}
        ).status_code
        == 404
    )
    CreditRequest.objects.get(pk=made.pk, state="submitted")


def test_enterprise_sees_its_status_with_reasons(credit, clock):
    world = credit.world
    page = client_for(world.ent_user_a).get(reverse("credit:status"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "拖欠农民工工资失信联合惩戒对象名单" in text and "经责令限期支付逾期未支付" in text
    assert "青人社惩〔2026〕1号" in text and "青人社惩〔2026〕2号" not in text
    api = client_for(world.ent_user_a).get("/api/credit/status").json()
    assert api["restricted"] is True and [e["decision_no"] for e in api["entries"]] == ["青人社惩〔2026〕1号"]
    assert (
        client_for(world.dispatcher).get("/api/credit/status").status_code == 403
    )  # a role question, not an object one may not see


def test_request_through_page_and_api_agree(credit, clock):
    world = credit.world
    ent = client_for(world.ent_user_a)
    page = ent.post(
        reverse("credit:entry_request", args=[credit.entry_a.pk]), {"kind": "objection", "reason": "名称有误"}
    )
    assert page.status_code == 302
    first = CreditRequest.objects.get()
    api = ent.post(
        f"/api/credit/entries/{credit.entry_a.pk}/requests",
        {"kind": "repair", "reason": "已结清"},
        content_type="application/json",
    )
    assert api.status_code == 201 and api.json()["deadline"].startswith("2026-12-07")
    # Refused input: the same message through both doors.
    bad = ent.post(
        f"/api/credit/entries/{credit.entry_a.pk}/requests",
        {"kind": "appeal", "reason": ""},
        content_type="application/json",
    )
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"kind", "reason"}
    ent.post(reverse("credit:entry_request", args=[credit.entry_a.pk]), {"kind": "appeal", "reason": ""})
    assert CreditRequest.objects.count() == 2
    # The authority decides through the page and through the API.
    hr = client_for(world.handler_hr)
    assert (
        hr.post(reverse("credit:request_act", args=[first.pk, "refuse"]), {"outcome": "无误"}).status_code
        == 302
    )
    second = CreditRequest.objects.exclude(pk=first.pk).get()
    res = hr.post(
        f"/api/credit/requests/{second.pk}/accept", {"outcome": "准予修复"}, content_type="application/json"
    )
    assert res.status_code == 200 and res.json()["state"] == "accepted"
    again = hr.post(
        f"/api/credit/requests/{second.pk}/accept", {"outcome": "准予修复"}, content_type="application/json"
    )
    assert again.status_code == 409


def test_request_lists_light_overdue(credit):
    with time_machine.travel(at(2026, 11, 16), tick=False):
        file(credit)
    with time_machine.travel(at(2026, 11, 24), tick=False):
        hr = client_for(credit.world.handler_hr)
        page = hr.get(reverse("credit:requests") + "?state=submitted&light=red")
        assert "超期" in page.content.decode() and credit.world.ent_a.name in page.content.decode()
        assert hr.get("/api/credit/requests").json()[0]["light"] == "red"


def test_overdue_requests_remind_the_authority_once(credit):
    with time_machine.travel(at(2026, 11, 16), tick=False):
        file(credit)
        assert services.remind_overdue_requests() == 0
    with time_machine.travel(at(2026, 11, 24), tick=False):
        assert services.remind_overdue_requests() == 1
        assert services.remind_overdue_requests() == 0
    overdue = Notification.objects.filter(kind="overdue")
    assert set(overdue.values_list("recipient__username", flat=True)) == {"handler_hr", "head_hr"}
