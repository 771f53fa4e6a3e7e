"""剩余信息保护: a logout deletes the session's row at once; sessions that ended without a logout are removed by the
nightly job; a signed-in page is never cached."""

import datetime as dt

from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from qinqing.accounts.tasks import clear_expired_sessions


def test_logging_out_deletes_the_session_row(world):
    c = Client()
    c.force_login(world.dispatcher)
    key = c.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    assert "no-store" in c.get("/")["Cache-Control"]
    c.post("/logout/")
    assert not Session.objects.filter(session_key=key).exists()


def test_the_nightly_job_clears_expired_sessions_only(world):
    live, stale = Client(), Client()
    live.force_login(world.dispatcher)
    stale.force_login(world.leader)
    Session.objects.filter(session_key=stale.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(minutes=1)
    )
    assert clear_expired_sessions.call() == {"deleted": 1}
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session.session_key]
