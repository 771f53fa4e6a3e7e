"""Sending notifications: the in-app centre row is written in the caller's transaction; email (Django's email
backend) and SMS (a pluggable sender) copies are delivered by the background worker (``deliver``), which can
only see the job once that transaction has committed, so a rolled-back action never sends anything and a slow
mail server never holds a request or a row lock. A failed copy is retried with growing pauses
(``QINQING_DELIVERY_ATTEMPTS``); delivery is at least once (a worker killed mid-send may send one copy twice)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from qinqing.accounts.models import User
from qinqing.supervision.models import Notification

log = logging.getLogger("qinqing.notify")

EMAIL, SMS = "email", "sms"


class SmsSender(Protocol):
    def send(self, mobile: str, text: str) -> None: ...


class LoggingSmsSender:
    """The default: writes the message to the log. A real gateway implements the same ``send`` method and is
    named in ``QINQING_SMS_SENDER``; raising from ``send`` makes the worker retry that message later."""

    def send(self, mobile: str, text: str) -> None:
        log.info("SMS to %s: %s", mobile, text)


def sms_sender() -> SmsSender:
    return import_string(settings.QINQING_SMS_SENDER)()


class DeliveryFailed(Exception):
    """Some copies could still not be sent after the last attempt (the task result shows which)."""


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
    copies = [[row.pk, EMAIL] for row in rows if row.recipient.email]
    copies += [[row.pk, SMS] for row in rows if row.recipient.mobile]
    if copies:
        # One job row in the same transaction (the queue is a table in this database): it commits with the
        # notifications or not at all, and the worker delivers after the commit.
        deliver.enqueue(copies)
    return rows


def retry_delay(attempt: int) -> dt.timedelta:
    """The pause after failed attempt ``attempt``: 1, 2, 4, 8, ... minutes, at most an hour."""
    return dt.timedelta(minutes=min(60, 2 ** (attempt - 1)))


@task
def deliver(copies: list[list], attempt: int = 1) -> dict:
    """Send the email and SMS copies ``[[notification_id, "email" | "sms"], ...]``; re-enqueue the failed ones."""
    notes = Notification.objects.select_related("recipient").in_bulk([pk for pk, _ in copies])
    sender = sms_sender() if any(channel == SMS for _, channel in copies) else None
    failed: list[list] = []
    sent = 0
    for pk, channel in copies:
        note = notes.get(pk)
        if note is None:
            continue  # deleted with its appeal meanwhile: nobody left to tell
        try:
            if channel == EMAIL and note.recipient.email:
                text = f"{note.title}\n{note.body}".strip()
                send_mail(f"【亲清】{note.title}", text, None, [note.recipient.email])
            elif channel == SMS and note.recipient.mobile and sender is not None:
                sender.send(note.recipient.mobile, f"【亲清】{note.title}")
            else:
                continue  # the address was removed since
        except Exception:  # a gateway's own error types are unknown here; every one is worth a retry
            log.warning(
                "%s delivery of notification %s failed (attempt %s)", channel, pk, attempt, exc_info=True
            )
            failed.append([pk, channel])
        else:
            sent += 1
    if failed:
        if attempt >= settings.QINQING_DELIVERY_ATTEMPTS:
            log.error(
                "giving up on %s notification copies after %s attempts: %s", len(failed), attempt, failed
            )
            raise DeliveryFailed(f"{len(failed)} copies undelivered after {attempt} attempts: {failed}")
        deliver.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(failed, attempt + 1)
    return {"sent": sent, "retrying": len(failed), "attempt": attempt}
