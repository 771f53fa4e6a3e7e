import io

import pytest
from django.core.management import call_command

from qinqing.accounts.models import ApiToken
from qinqing.appeals.models import Appeal, AppealEvent, Channel, Status

pytestmark = pytest.mark.django_db


def test_close_unrated_command(world, clock):
    world.replied()
    clock.move_to("2026-12-01T10:00+08:00")
    out = io.StringIO()
    call_command("close_unrated", stdout=out)
    assert "自动办结 1 件" in out.getvalue()
    assert Appeal.objects.get().status == Status.CLOSED


def test_issue_api_token_prints_a_working_token(world):
    out = io.StringIO()
    call_command("issue_api_token", "ent_a", stdout=out)
    raw = out.getvalue().strip()
    assert ApiToken.objects.get(key_hash=ApiToken.hash(raw)).user == world.ent_user_a


def test_seed_demo_builds_every_state_and_channel():
    call_command("seed_demo", appeals=150, stdout=io.StringIO())
    statuses = set(Appeal.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    channels = set(Appeal.objects.values_list("channel", flat=True))
    assert channels == set(Channel.values)
    lights = {a.light() for a in Appeal.objects.filter(status__in=["submitted", "assigned", "in_progress"])}
    assert {"green", "red"} <= lights
    # Every appeal's history starts with its submission.
    assert AppealEvent.objects.filter(kind="submitted").count() == Appeal.objects.count()
    # Idempotent with --if-empty.
    call_command("seed_demo", if_empty=True, stdout=io.StringIO())
    assert Appeal.objects.count() == 150
