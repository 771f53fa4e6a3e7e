"""Sending notifications: the in-app centre always, plus email (Django's email backend) and SMS (a pluggable
sender) once the transaction that caused them has committed, so a rolled-back action never sends anything."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.module_loading import import_string

from qinqing.accounts.models import User
from qinqing.supervision.models import Notification

log = logging.getLogger("qinqing.notify")


class SmsSender(Protocol):
    def send(self, mobile: str, text: str) -> None: ...


class LoggingSmsSender:
    """The default: writes the message to the log. A real gateway implements the same ``send`` method and is
    named in ``QINQING_SMS_SENDER``."""

    def send(self, mobile: str, text: str) -> None:
        log.info("SMS to %s: %s", mobile, text)


def sms_sender() -> SmsSender:
    return import_string(settings.QINQING_SMS_SENDER)()


def notify(
    users: Iterable[User], *, kind: str, title: str, body: str = "", appeal=None, url: str = ""
) -> list[Notification]:
    recipients = {u.pk: u for u in users if u.is_active}.values()
    rows = Notification.objects.bulk_create(
        [
            Notification(recipient=u, kind=kind, title=title[:120], body=body, appeal=appeal, url=url)
            for u in recipients
        ]
    )
    emails = [u.email for u in recipients if u.email]
    mobiles = [u.mobile for u in recipients if u.mobile]

    def deliver() -> None:
        text = f"{title}\n{body}".strip()
        if emails:
            try:
                send_mail(f"【亲清】{title}", text, None, emails)
            except Exception:  # a mail server outage must not undo the supervision record
                log.exception("email delivery failed for %s", title)
        sender = sms_sender()
        for mobile in mobiles:
            try:
                sender.send(mobile, f"【亲清】{title}")
            except Exception:
                log.exception("SMS delivery failed for %s", mobile)

    transaction.on_commit(deliver)
    return rows
