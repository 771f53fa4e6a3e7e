"""The preferences page and API (one input, the same refusals), a message's delivery record (one's own only), and
the delivery records in the admin (read-only, masked, for the system administrator)."""

import pytest
from django.test import Client

from qinqing.supervision.models import NoticeOptOut, Notification, NotificationDelivery
from qinqing.supervision.notify import notify
from tests.worker import run_worker


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def api(world, user):
    return {"HTTP_AUTHORIZATION": f"Bearer {world.token(user)}"}


@pytest.mark.django_db
def test_preferences_page_lists_the_kinds_that_reach_the_user_with_mandatory_ones_greyed(world):
    page = client_for(world.ent_user_a).get("/supervision/notifications/preferences/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "部门已签收" in html and 'value="signed:sms"' in html
    assert "诉求不予受理" in html and "原因：《优化营商环境条例》要求将受理、办理结果告知企业" in html
    assert 'value="rejected:sms" checked disabled' in html
    assert "新交办诉求" not in html  # a department's notice is not the enterprise's to choose


@pytest.mark.django_db
def test_the_page_and_the_api_set_the_same_preferences_and_refuse_the_same(world):
    page = client_for(world.ent_user_a).post(
        "/supervision/notifications/preferences/", {"enabled": ["accepted:email", "signed:email"]}
    )
    assert page.status_code == 302
    page_off = set(NoticeOptOut.objects.filter(user=world.ent_user_a).values_list("kind", "channel"))
    assert ("signed", "sms") in page_off and ("signed", "email") not in page_off
    assert not any(
        kind in ("accepted", "rejected", "replied") for kind, _ in page_off
    )  # mandatory: never off

    NoticeOptOut.objects.all().delete()
    response = Client().post(
        "/api/supervision/notification-preferences",
        {"enabled": ["accepted:email", "signed:email"]},
        content_type="application/json",
        **api(world, world.ent_user_a),
    )
    assert response.status_code == 200
    assert set(NoticeOptOut.objects.filter(user=world.ent_user_a).values_list("kind", "channel")) == page_off
    signed = next(r for r in response.json() if r["kind"] == "signed")
    assert [(c["channel"], c["enabled"]) for c in signed["channels"]] == [("email", True), ("sms", False)]

    # refused alike: a kind that is not the user's (or does not exist), and nothing is saved half
    before = set(NoticeOptOut.objects.values_list("pk", flat=True))
    bad = {"enabled": ["assigned:sms"]}
    page = client_for(world.ent_user_a).post("/supervision/notifications/preferences/", bad, follow=True)
    assert "没有这类消息：assigned:sms" in page.content.decode()
    response = Client().post(
        "/api/supervision/notification-preferences",
        bad,
        content_type="application/json",
        **api(world, world.ent_user_a),
    )
    assert response.status_code == 400 and "没有这类消息" in str(response.json())
    assert set(NoticeOptOut.objects.values_list("pk", flat=True)) == before
    too_long = {"enabled": ["x" * 41]}
    response = Client().post(
        "/api/supervision/notification-preferences",
        too_long,
        content_type="application/json",
        **api(world, world.ent_user_a),
    )
    assert response.status_code in (400, 422)


@pytest.mark.django_db
def test_a_message_shows_its_delivery_record_to_its_recipient_only(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world.handler_hr.email, world.handler_hr.mobile = "hr@example.gov.cn", "13700000001"
    world.handler_hr.save()
    (note,) = notify([world.handler_hr], kind="reminder", title="催办通知：QQ1", params={"number": "QQ1"})
    run_worker()
    page = client_for(world.handler_hr).get(f"/supervision/notifications/{note.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "邮件（h***@example.gov.cn）：<b>已发送</b>" in html
    assert "短信（137****0001）：<b>已发送</b>" in html and "13700000001" not in html
    assert "LOGGED" in html  # the gateway's answer (here the logging sender's)

    detail = Client().get(f"/api/supervision/notifications/{note.pk}", **api(world, world.handler_hr)).json()
    assert sorted((d["channel"], d["status"], d["address"]) for d in detail["deliveries"]) == [
        ("email", "sent", "h***@example.gov.cn"),
        ("sms", "sent", "137****0001"),
    ]
    # anyone else: not found, exactly like a missing message
    assert client_for(world.head_hr).get(f"/supervision/notifications/{note.pk}/").status_code == 404
    assert (
        Client().get(f"/api/supervision/notifications/{note.pk}", **api(world, world.head_hr)).status_code
        == 404
    )
    assert client_for(world.handler_hr).get("/supervision/notifications/999999/").status_code == 404


@pytest.mark.django_db
def test_a_failed_copy_is_visible_on_the_message(world, settings):
    settings.QINQING_SMS_SENDER = "tests.supervision.test_notify.FlakySms"
    settings.QINQING_DELIVERY_ATTEMPTS = 1
    from tests.supervision import test_notify

    test_notify.FAILURES["left"] = 5
    world.handler_hr.mobile = "13700000001"
    world.handler_hr.save()
    (note,) = notify([world.handler_hr], kind="reminder", title="催办通知：QQ1", params={"number": "QQ1"})
    run_worker()
    test_notify.FAILURES["left"] = 0
    html = client_for(world.handler_hr).get(f"/supervision/notifications/{note.pk}/").content.decode()
    assert "短信（137****0001）：<b>发送失败</b>" in html and "SMS gateway unreachable" in html


@pytest.mark.django_db
def test_the_system_administrator_reads_the_delivery_records_in_the_admin_and_changes_nothing(
    world, settings
):

    world.handler_hr.mobile = "13700000001"
    world.handler_hr.save()
    notify([world.handler_hr], kind="reminder", title="催办通知：QQ1秘密内容", params={"number": "QQ1"})
    run_worker()
    copy = NotificationDelivery.objects.get()
    settings.QINQING_OTP_ROLES = []
    c = client_for(world.sysadmin)
    listing = c.get("/admin/supervision/notificationdelivery/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "137****0001" in html and "13700000001" not in html and "秘密内容" not in html
    detail = c.get(f"/admin/supervision/notificationdelivery/{copy.pk}/change/")
    assert detail.status_code == 200 and "秘密内容" not in detail.content.decode()
    assert (
        c.post(f"/admin/supervision/notificationdelivery/{copy.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert NotificationDelivery.objects.filter(pk=copy.pk).exists()
    assert client_for(world.handler_hr).get("/admin/supervision/notificationdelivery/").status_code == 302
    assert Notification.objects.count() == 1
