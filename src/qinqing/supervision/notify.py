"""Sending notifications: the in-app centre row and one ``NotificationDelivery`` row per copy that must leave
(email, SMS, 企业微信 group robot) are written in the caller's transaction; the worker (``deliver``) sends the
copies, and it can only see the job once that transaction has committed, so a rolled-back action never sends
anything and a slow gateway never holds a request or a row lock. A failed copy is retried with growing pauses
(``QINQING_DELIVERY_ATTEMPTS``) and each attempt's answer is kept on its row; delivery is at least once (a worker
killed mid-send may send one copy twice).

Which copies a notice gets is the table in ``notices.py``; the SMS gateway is ``QINQING_SMS_SENDER`` (the
logging sender by default, ``sms.AliyunSmsSender`` or ``sms.TencentSmsSender`` in production)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.request
from collections.abc import Iterable
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from qinqing.accounts.models import User
from qinqing.organisation.models import Department
from qinqing.supervision import notices
from qinqing.supervision.models import (
    DepartmentWebhook,
    NoticeOptOut,
    Notification,
    NotificationDelivery,
)

log = logging.getLogger("qinqing.notify")

EMAIL, SMS, WECOM = notices.EMAIL, notices.SMS, notices.WECOM
Delivery = NotificationDelivery


class SmsResult(dict):
    """The gateway's answer: ``request_id``, ``code``, ``message`` (kept on the delivery row)."""


class SmsSender(Protocol):
    def send(self, mobile: str, template_code: str, params: dict[str, str], text: str) -> SmsResult | None:
        """Send template ``template_code`` with ``params`` to ``mobile`` (11 digits); ``text`` is the rendered
        message (what the recipient will read). Raise to have the worker retry later."""
        ...


class LoggingSmsSender:
    """The default: writes the rendered message to the log (``qinqing.notify``) instead of sending it."""

    def send(self, mobile: str, template_code: str, params: dict[str, str], text: str) -> SmsResult:
        log.info("SMS to %s [%s %s]: %s", mobile, template_code, json.dumps(params, ensure_ascii=False), text)
        return SmsResult(request_id="", code="LOGGED", message="已写入日志（未配置短信网关）")


def sms_sender() -> SmsSender:
    return import_string(settings.QINQING_SMS_SENDER)()


def template_code(key: str) -> str:
    """The gateway's code of our template ``key`` (``QINQING_SMS_TEMPLATES``); the key itself when unmapped."""
    return settings.QINQING_SMS_TEMPLATES.get(key, key)


class DeliveryFailed(Exception):
    """Some copies could still not be sent after the last attempt (their rows and the task result show which)."""


def _opted_out(users: Iterable[User], kind: str) -> set[tuple[int, str]]:
    ids = [u.pk for u in users]
    if not ids:
        return set()
    return set(NoticeOptOut.objects.filter(user_id__in=ids, kind=kind).values_list("user_id", "channel"))


def notify(
    users: Iterable[User],
    *,
    kind: str,
    title: str,
    body: str = "",
    appeal=None,
    url: str = "",
    params: dict[str, str] | None = None,
    sms_to: str | None = None,
    departments: Iterable[Department] = (),
    channels: Iterable[str] | None = None,
) -> list[Notification]:
    """Tell ``users`` (the active ones): an in-app message each, and the copies the kind's row allows.

    ``params``: the SMS template's variables (``number`` is filled from ``appeal``). ``sms_to``: send the SMS to this
    number (the appeal's contact, for the enterprise's notices) instead of to each user's own mobile. ``departments``:
    post to their 企业微信 robots. ``channels``: only these of the kind's copies (e.g. ``{"email"}``)."""
    row = notices.notice(kind)
    allowed = set(row.channels if channels is None else set(channels) & set(row.channels))
    recipients = list({u.pk: u for u in users if u.is_active}.values())
    rows = Notification.objects.bulk_create(
        [
            Notification(recipient=u, kind=kind, title=title[:120], body=body, appeal=appeal, url=url)
            for u in recipients
        ]
    )
    out = set() if row.mandatory else _opted_out(recipients, kind)
    subject = f"【亲清】{title}"[:160]
    text = "\n".join(x for x in (title, body, _absolute(url)) if x)
    copies: list[Delivery] = []
    for note in rows:
        user = note.recipient
        if EMAIL in allowed and user.email and (user.pk, EMAIL) not in out:
            copies.append(
                Delivery(
                    notification=note,
                    kind=kind,
                    channel=EMAIL,
                    address=user.email,
                    subject=subject,
                    text=text,
                )
            )
    if SMS in allowed and row.sms:
        values = {"number": appeal.number if appeal is not None else "", **(params or {})}
        values = {k: notices.short(str(values.get(k, ""))) for k in row.sms_vars}
        sms_text = f"【{settings.QINQING_SMS_SIGN_NAME}】{row.render_sms(values)}"
        code = template_code(row.sms)
        if sms_to is not None:
            # One SMS to the contact; an enterprise user with that number who turned it off is heard.
            holder = next((n for n in rows if n.recipient.mobile == sms_to), rows[0] if rows else None)
            muted = (
                holder is not None and (holder.recipient_id, SMS) in out and holder.recipient.mobile == sms_to
            )
            if sms_to and not muted:
                copies.append(
                    Delivery(
                        notification=holder,
                        kind=kind,
                        channel=SMS,
                        address=sms_to,
                        template_code=code,
                        params=values,
                        text=sms_text,
                    )
                )
        else:
            for note in rows:
                user = note.recipient
                if user.mobile and (user.pk, SMS) not in out:
                    copies.append(
                        Delivery(
                            notification=note,
                            kind=kind,
                            channel=SMS,
                            address=user.mobile,
                            template_code=code,
                            params=values,
                            text=sms_text,
                        )
                    )
    dept_ids = {d.pk for d in departments}
    if WECOM in allowed and dept_ids:
        for hook in DepartmentWebhook.objects.filter(department_id__in=dept_ids, active=True):
            copies.append(
                Delivery(
                    kind=kind,
                    channel=WECOM,
                    address=hook.url,
                    department_id=hook.department_id,
                    subject=title[:160],
                    text=f"【亲清】{text}",
                )
            )
    if copies:
        saved = Delivery.objects.bulk_create(copies)
        # One job row in the same transaction (the queue is a table in this database): it commits with the
        # notifications or not at all, and the worker delivers after the commit.
        deliver.enqueue([d.pk for d in saved])
    return rows


def _absolute(url: str) -> str:
    if not url or not settings.QINQING_SITE_URL:
        return url
    return settings.QINQING_SITE_URL.rstrip("/") + url if url.startswith("/") else url


def retry_delay(attempt: int) -> dt.timedelta:
    """The pause after failed attempt ``attempt``: 1, 2, 4, 8, ... minutes, at most an hour."""
    return dt.timedelta(minutes=min(60, 2 ** (attempt - 1)))


class WecomRefused(Exception):
    pass


def post_wecom(url: str, text: str) -> dict:
    """Post a text message to a 企业微信 group robot; its answer is ``{"errcode": 0, "errmsg": "ok"}`` when taken."""
    body = json.dumps({"msgtype": "text", "text": {"content": text[:2000]}}, ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310 - the robot URL an administrator set (http/https only)
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - https URL set by the admin
        answer = json.loads(response.read().decode() or "{}")
    if answer.get("errcode") != 0:
        raise WecomRefused(f"{answer.get('errcode')} {answer.get('errmsg', '')}".strip())
    return answer


def _send(copy: Delivery, sender: SmsSender | None) -> dict:
    if copy.channel == EMAIL:
        send_mail(copy.subject, copy.text, None, [copy.address])
        return {"code": "OK", "message": "已交给邮件服务器"}
    if copy.channel == SMS:
        assert sender is not None
        return dict(sender.send(copy.address, copy.template_code, copy.params, copy.text) or {})
    answer = post_wecom(copy.address, copy.text)
    return {"code": str(answer.get("errcode", "")), "message": str(answer.get("errmsg", ""))}


@task
def deliver(ids: list[int], attempt: int = 1) -> dict:
    """Send the pending copies ``ids`` (``NotificationDelivery`` rows); record each answer; re-enqueue the failed."""
    copies = list(Delivery.objects.filter(pk__in=ids, status=Delivery.Status.PENDING).order_by("pk"))
    sender = sms_sender() if any(c.channel == SMS for c in copies) else None
    failed: list[int] = []
    sent = 0
    last = attempt >= settings.QINQING_DELIVERY_ATTEMPTS
    for copy in copies:
        now = timezone.now()
        try:
            answer = _send(copy, sender)
        except Exception as exc:  # a gateway's own error types are unknown here; every one is worth a retry
            log.warning("%s delivery %s failed (attempt %s)", copy.channel, copy.pk, attempt, exc_info=True)
            failed.append(copy.pk)
            Delivery.objects.filter(pk=copy.pk).update(
                attempts=attempt,
                last_attempt_at=now,
                status=Delivery.Status.FAILED if last else Delivery.Status.PENDING,
                request_id=str(getattr(exc, "request_id", "") or getattr(exc, "requestId", "") or "")[:80],
                answer_code=str(getattr(exc, "code", "") or type(exc).__name__)[:80],
                answer=str(getattr(exc, "message", "") or exc)[:2000],
            )
        else:
            sent += 1
            Delivery.objects.filter(pk=copy.pk).update(
                attempts=attempt,
                last_attempt_at=now,
                sent_at=now,
                status=Delivery.Status.SENT,
                request_id=str(answer.get("request_id", ""))[:80],
                answer_code=str(answer.get("code", ""))[:80],
                answer=str(answer.get("message", ""))[:2000],
            )
    if failed:
        if last:
            log.error(
                "giving up on %s notification copies after %s attempts: %s", len(failed), attempt, failed
            )
            raise DeliveryFailed(f"{len(failed)} copies undelivered after {attempt} attempts: {failed}")
        deliver.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(failed, attempt + 1)
    return {"sent": sent, "retrying": len(failed), "attempt": attempt}
