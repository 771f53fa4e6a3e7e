"""Every step of an appeal tells the people it concerns: who gets which notice, through which channel, exactly once.

Copies leave through the real worker loop (tests/worker.py); what left is read back from the delivery records and
from the recording SMS sender / Django's test mail box."""

import pytest
from django.core import mail

from qinqing.accounts.models import Role, User
from qinqing.appeals import services
from qinqing.appeals.models import ClockPause, ExtensionRequest
from qinqing.supervision import notices
from qinqing.supervision import services as supervision_services
from qinqing.supervision.models import NoticeOptOut, Notification, NotificationDelivery
from tests.worker import run_worker

SMS: list[tuple[str, str, dict, str]] = []


class RecordingSms:
    def send(self, mobile, template_code, params, text):
        SMS.append((mobile, template_code, params, text))
        return {"request_id": f"r{len(SMS)}", "code": "OK", "message": "OK"}


@pytest.fixture(autouse=True)
def _gateways(settings):
    settings.QINQING_SMS_SENDER = "tests.supervision.test_appeal_notices.RecordingSms"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.QINQING_SMS_TEMPLATES = {"appeal_replied": "SMS_900001"}
    SMS.clear()


@pytest.fixture
def people(world):
    """Everyone with an email address and a mobile, so every channel the rules allow is used."""
    for i, user in enumerate(
        [
            world.ent_user_a,
            world.handler_hr,
            world.head_hr,
            world.handler_land,
            world.handler_hr_unit,
            world.dispatcher,
            world.dispatcher_east,
            world.leader,
        ]
    ):
        user.email = f"{user.username}@example.gov.cn"
        user.mobile = f"1370000{i:04d}"
        user.save()
    return world


def step(action):
    """Flush the notices of the steps so far, take the step, deliver its notices; return what it produced."""
    run_worker()
    before = set(Notification.objects.values_list("pk", flat=True))
    mail.outbox.clear()
    SMS.clear()
    result = action()
    assert run_worker() <= 3  # a step's copies leave in one job per notify call
    new = Notification.objects.exclude(pk__in=before).select_related("recipient")
    told: dict[str, dict[str, int]] = {}
    for n in new:
        told.setdefault(n.kind, {})
        told[n.kind][n.recipient.username] = told[n.kind].get(n.recipient.username, 0) + 1
    return result, told


def copies(kind, channel):
    return list(NotificationDelivery.objects.filter(kind=kind, channel=channel).order_by("pk"))


def once(told_kind: dict[str, int]) -> set[str]:
    assert all(n == 1 for n in told_kind.values()), told_kind
    return set(told_kind)


@pytest.mark.django_db
def test_assigning_tells_the_enterprise_by_sms_and_the_lead_and_co_departments(people, clock):
    world = people
    appeal = world.submit()
    _, told = step(
        lambda: services.assign_appeal(appeal=appeal, by=world.dispatcher, lead=world.hr, co=[world.land])
    )
    assert set(told) == {"accepted", "assigned"}
    assert once(told["accepted"]) == {"ent_a"}
    assert once(told["assigned"]) == {"handler_hr", "head_hr", "handler_land"}  # not the sub-unit's handler
    # SMS: once, to the appeal's contact (not to each enterprise user's own number), with the template's variables
    (sms,) = copies("accepted", "sms")
    assert sms.address == "13800000001" and sms.status == "sent" and sms.request_id
    assert sms.params == {"number": appeal.number, "dept": "市人社局", "date": "2026-11-30"}
    assert SMS[0][0] == "13800000001" and SMS[0][1] == "appeal_accepted"
    assert SMS[0][3] == f"【亲清】您的诉求{appeal.number}已受理，交市人社局办理，办理时限至2026-11-30。"
    # Departments: in-app and email; the new assignment's SMS goes to each of their own mobiles
    assert {d.address for d in copies("assigned", "email")} == {
        "handler_hr@example.gov.cn",
        "head_hr@example.gov.cn",
        "handler_land@example.gov.cn",
    }
    assert len(copies("accepted", "email")) == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [
            "ent_a@example.gov.cn",
            "handler_hr@example.gov.cn",
            "head_hr@example.gov.cn",
            "handler_land@example.gov.cn",
        ]
    )


@pytest.mark.django_db
def test_rejecting_tells_the_enterprise_the_reason(people, clock):
    world = people
    appeal = world.submit()
    _, told = step(
        lambda: services.reject_appeal(appeal=appeal, by=world.dispatcher, reason="属于司法诉讼事项")
    )
    assert set(told) == {"rejected"} and once(told["rejected"]) == {"ent_a"}
    note = Notification.objects.get(kind="rejected")
    assert "属于司法诉讼事项" in note.body
    (sms,) = copies("rejected", "sms")
    assert sms.params["reason"] == "属于司法诉讼事项" and "原因：属于司法诉讼事项" in sms.text


@pytest.mark.django_db
def test_signing_tells_the_enterprise(people, clock):
    world = people
    appeal = world.assigned()
    _, told = step(lambda: services.sign_appeal(appeal=appeal, by=world.handler_hr))
    assert set(told) == {"signed"} and once(told["signed"]) == {"ent_a"}
    assert [c.address for c in copies("signed", "sms")] == ["13800000001"]


@pytest.mark.django_db
def test_a_return_tells_the_office_of_the_appeals_own_region(people, clock):
    world = people
    appeal = world.assigned()  # ent_a is in 东城区: its dispatcher, not the city's
    _, told = step(lambda: services.return_appeal(appeal=appeal, by=world.handler_hr, reason="不属本局职责"))
    assert set(told) == {"returned"} and once(told["returned"]) == {"dispatcher_east"}
    assert "不属本局职责" in Notification.objects.get(kind="returned").body
    assert copies("returned", "sms") == []  # the office's notices have no SMS template


@pytest.mark.django_db
def test_the_nearest_office_is_told_when_the_district_has_none(people, clock):
    world = people
    world.dispatcher_east.is_active = False
    world.dispatcher_east.save()
    appeal = world.assigned()
    _, told = step(lambda: services.return_appeal(appeal=appeal, by=world.handler_hr, reason="不属本局职责"))
    assert once(told["returned"]) == {"dispatcher_city"}


@pytest.mark.django_db
def test_extension_requested_tells_the_office_and_its_decision_the_lead_and_the_enterprise(people, clock):
    world = people
    appeal = world.in_progress()
    ext, told = step(
        lambda: services.request_extension(appeal=appeal, by=world.handler_hr, days=5, reason="需现场勘验")
    )
    assert set(told) == {"ext_requested"} and once(told["ext_requested"]) == {"dispatcher_east"}

    _, told = step(lambda: services.decide_extension(extension=ext, by=world.dispatcher_east, approve=True))
    assert set(told) == {"ext_decided", "extended"}
    assert once(told["ext_decided"]) == {"handler_hr", "head_hr"}  # the lead department, not the co one
    assert once(told["extended"]) == {"ent_a"}
    assert copies("extended", "sms")[0].params["date"] == "2026-12-07"

    ext2, _ = step(
        lambda: services.request_extension(appeal=appeal, by=world.handler_hr, days=3, reason="再延")
    )
    _, told = step(
        lambda: services.decide_extension(
            extension=ext2, by=world.dispatcher_east, approve=False, note="不必"
        )
    )
    assert set(told) == {"ext_decided"}  # a refusal is not the enterprise's news
    assert ExtensionRequest.objects.get(pk=ext2.pk).state == "denied"


@pytest.mark.django_db
def test_a_leaders_note_is_a_pishi_for_the_lead_and_co_departments_and_a_handlers_note_tells_nobody(
    people, clock
):
    world = people
    appeal = world.in_progress()
    _, told = step(lambda: services.add_note(appeal=appeal, by=world.leader, note="请本周内办结"))
    assert set(told) == {"instruction"}
    assert once(told["instruction"]) == {"handler_hr", "head_hr", "handler_land"}
    assert "请本周内办结" in Notification.objects.filter(kind="instruction").first().body
    _, told = step(lambda: services.add_note(appeal=appeal, by=world.handler_hr, note="已联系企业"))
    assert told == {}


@pytest.mark.django_db
def test_a_pause_for_the_enterprises_materials_tells_the_enterprise_and_a_third_party_pause_does_not(
    people, clock
):
    world = people
    appeal = world.in_progress()
    _, told = step(
        lambda: services.pause_clock(
            appeal=appeal, by=world.handler_hr, kind=ClockPause.Kind.ENTERPRISE, reason="请补充营业执照副本"
        )
    )
    assert set(told) == {"paused"} and once(told["paused"]) == {"ent_a"}
    assert copies("paused", "sms")[0].params["reason"] == "请补充营业执照副本"
    services.resume_clock(appeal=appeal, by=world.handler_hr)
    _, told = step(
        lambda: services.pause_clock(
            appeal=appeal, by=world.handler_hr, kind=ClockPause.Kind.THIRD_PARTY, reason="等待鉴定"
        )
    )
    assert told == {}


@pytest.mark.django_db
def test_a_reply_tells_the_enterprise_by_the_registered_template(people, clock):
    world = people
    appeal = world.in_progress()
    _, told = step(
        lambda: services.reply_to_appeal(
            appeal=appeal, by=world.handler_hr, measures="专场招聘", result="已招到45人"
        )
    )
    assert set(told) == {"replied"} and once(told["replied"]) == {"ent_a"}
    assert SMS == [
        (
            "13800000001",
            "SMS_900001",
            {"number": appeal.number},
            f"【亲清】您的诉求{appeal.number}已答复，请登录亲清平台查看并评价。",
        )
    ]


@pytest.mark.django_db
def test_a_rating_tells_the_departments_and_a_dissatisfied_one_the_office(people, clock):
    world = people
    appeal = world.replied()
    _, told = step(
        lambda: services.rate_appeal(
            appeal=appeal, by=world.ent_user_a, satisfaction="satisfied", resolved=True
        )
    )
    assert set(told) == {"rated"} and once(told["rated"]) == {"handler_hr", "head_hr", "handler_land"}

    other = world.replied()
    _, told = step(
        lambda: services.rate_appeal(
            appeal=other, by=world.ent_user_a, satisfaction="dissatisfied", resolved=False, comment="仍缺人"
        )
    )
    assert set(told) == {"rated", "dissatisfied"}
    assert once(told["dissatisfied"]) == {"dispatcher_east"}
    assert "仍缺人" in Notification.objects.get(kind="dissatisfied").body


@pytest.mark.django_db
def test_the_offices_review_tells_the_enterprise_and_the_departments(people, clock):
    """不满意 goes to the office (tested with the rating); its 重办 tells the enterprise and the departments, its
    不予重办 tells the enterprise why."""
    world = people
    appeal = world.closed(satisfaction="dissatisfied")
    _, told = step(lambda: services.reopen_appeal(appeal=appeal, by=world.dispatcher, reason="仍未解决"))
    assert set(told) == {"reopened", "dept_reopened"}
    assert once(told["reopened"]) == {"ent_a"}
    assert once(told["dept_reopened"]) == {"handler_hr", "head_hr", "handler_land"}
    other = world.closed(satisfaction="dissatisfied")
    _, told = step(lambda: services.decline_reopen(appeal=other, by=world.dispatcher, reason="已依政策答复"))
    assert set(told) == {"reopen_declined"} and once(told["reopen_declined"]) == {"ent_a"}


@pytest.mark.django_db
def test_reassigning_tells_the_enterprise_and_the_new_lead(people, clock):
    world = people
    appeal = world.in_progress()
    _, told = step(
        lambda: services.reassign_appeal(
            appeal=appeal, by=world.dispatcher, lead=world.power, reason="属供电问题"
        )
    )
    assert set(told) == {"reassigned", "assigned"}
    assert once(told["reassigned"]) == {"ent_a"}
    assert "handler_hr" not in once(told["assigned"]) and once(told["assigned"])


@pytest.mark.django_db
def test_a_held_reply_reaches_the_enterprise_only_when_released(people, clock):
    world = people
    world.city.hold_flagged_replies = True
    world.city.save()
    appeal = world.in_progress()
    _, told = step(
        lambda: services.reply_to_appeal(appeal=appeal, by=world.handler_hr, measures="已处理", result="好的")
    )
    assert "replied" not in told
    _, told = step(lambda: services.send_back_reply(appeal=appeal, by=world.head_hr, reason="请写明措施"))
    assert set(told) == {"dept_returned"} and "handler_hr" in once(told["dept_returned"])
    services.reply_to_appeal(appeal=appeal, by=world.handler_hr, measures="已处理", result="已解决")
    _, told = step(lambda: services.release_reply(appeal=appeal, by=world.head_hr))
    assert once(told["replied"]) == {"ent_a"}


@pytest.mark.django_db
def test_auto_closing_tells_the_enterprise(people, clock):
    world = people
    world.replied()
    clock.shift(60 * 60 * 24 * 10)
    _, told = step(services.close_unrated)
    assert set(told) == {"closed"} and once(told["closed"]) == {"ent_a"}


@pytest.mark.django_db
def test_withdrawing_tells_the_departments(people, clock):
    world = people
    appeal = world.in_progress()
    _, told = step(lambda: services.withdraw_appeal(appeal=appeal, by=world.ent_user_a, reason="已自行解决"))
    assert set(told) == {"withdrawn"} and once(told["withdrawn"]) == {"handler_hr", "head_hr", "handler_land"}


@pytest.mark.django_db
def test_supervision_tells_the_department_and_cannot_be_turned_off(people, clock):
    world = people
    appeal = world.in_progress()
    NoticeOptOut.objects.create(
        user=world.handler_hr, kind="supervision", channel="sms"
    )  # ignored: mandatory
    _, told = step(
        lambda: supervision_services.issue_order(
            by=world.dispatcher,
            department=world.hr,
            appeals=[appeal],
            content="请加快办理",
            respond_by=_today(),
        )
    )
    assert set(told) == {"supervision"} and once(told["supervision"]) == {"handler_hr", "head_hr"}
    assert {c.address for c in copies("supervision", "sms")} == {
        world.handler_hr.mobile,
        world.head_hr.mobile,
    }


def _today():
    from django.utils import timezone

    return timezone.localdate()


@pytest.mark.django_db
def test_the_officer_who_registered_it_hears_the_enterprises_news_in_app_and_by_email(people, clock):
    world = people
    officer = User.objects.create_user(
        username="officer", password="pw-qinqing-1", role=Role.OFFICER, region=world.east, full_name="officer"
    )
    officer.email, officer.mobile = "officer@example.gov.cn", "13600000009"
    officer.save()
    appeal, _ = services.submit_appeal(
        by=officer,
        enterprise=world.ent_a,
        title="用电增容",
        content="新增生产线需增容",
        category=world.power_cat,
        agent_checked=True,
    )
    _, told = step(lambda: services.assign_appeal(appeal=appeal, by=world.dispatcher, lead=world.power))
    assert once(told["accepted"]) == {"ent_a", "officer"}
    mine = NotificationDelivery.objects.filter(notification__recipient=officer)
    assert [d.channel for d in mine] == ["email"]  # the SMS went once, to the enterprise's contact
    assert [c.address for c in copies("accepted", "sms")] == ["13800000001"]


@pytest.mark.django_db
def test_a_user_turns_an_optional_copy_off_and_a_mandatory_one_stays(people, clock):
    world = people
    supervision_services.set_preferences(world.ent_user_a, ["accepted:email"])  # signed:email and :sms off
    world.ent_user_a.mobile = "13800000001"  # the contact herself
    world.ent_user_a.save()
    appeal = world.assigned()
    _, told = step(lambda: services.sign_appeal(appeal=appeal, by=world.handler_hr))
    assert once(told["signed"]) == {"ent_a"}  # in-app always
    assert copies("signed", "email") == [] and copies("signed", "sms") == []
    assert len(copies("accepted", "sms")) == 1 and len(copies("accepted", "email")) == 1  # mandatory


@pytest.mark.django_db
def test_a_rolled_back_step_tells_nobody(people, clock):
    from django.db import transaction

    world = people
    appeal = world.assigned()
    run_worker()
    count = Notification.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.sign_appeal(appeal=appeal, by=world.handler_hr)
        raise RuntimeError("after the step")
    assert (
        Notification.objects.count() == count
        and not NotificationDelivery.objects.filter(kind="signed").exists()
    )


def test_every_notice_kind_with_sms_has_a_template_with_variables_and_a_reason_when_mandatory():
    for n in notices.NOTICES.values():
        assert n.label and n.concerns
        if n.sms:
            assert n.sms_text and n.sms_vars, n.kind
        assert n.kind in notices.Kind.values


def test_the_documented_table_names_every_notice_kind():
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "notifications.md").read_text()
    missing = [k for k in notices.NOTICES if f"| `{k}` |" not in doc]
    assert missing == [], f"docs/notifications.md lacks {missing}: regenerate its table from notices.NOTICES"
