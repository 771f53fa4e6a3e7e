"""Races, on PostgreSQL (SQLite serialises whole-database writes and ignores row locks)."""

import threading

import pytest
from django.db import connection, connections

from qinqing.appeals import services
from qinqing.appeals.models import Appeal, AppealEvent
from qinqing.core.errors import DomainError

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.pg_only]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL; CI runs this file there")


def race(n, fn):
    """Run fn(i) in n threads released at the same instant; return (results, errors)."""
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run(i):
        try:
            barrier.wait()
            results.append(fn(i))
        except DomainError as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results, errors


def test_two_handlers_signing_at_once_one_wins(world):
    appeal = world.assigned()
    other = type(world.handler_hr).objects.create_user(
        username="handler_hr_2", password="x-qinqing-1", role="handler", department=world.hr
    )
    signers = [world.handler_hr, other]
    results, errors = race(2, lambda i: services.sign_appeal(appeal=appeal, by=signers[i]))
    assert len(results) == 1 and len(errors) == 1
    assert "办理中" in errors[0].message
    assert AppealEvent.objects.filter(appeal=appeal, kind="signed").count() == 1


def test_reply_and_withdraw_at_once_only_one_applies(world):
    appeal = world.in_progress()
    actions = [
        lambda: services.reply_to_appeal(appeal=appeal, by=world.handler_hr, measures="m", result="r"),
        lambda: services.withdraw_appeal(appeal=appeal, by=world.ent_user_a, reason="x"),
    ]
    results, errors = race(2, lambda i: actions[i]())
    assert len(results) == 1 and len(errors) == 1
    kinds = set(AppealEvent.objects.filter(appeal=appeal).values_list("kind", flat=True))
    assert len(kinds & {"replied", "withdrawn"}) == 1


def test_double_submit_with_one_key_creates_one_appeal(world):
    def submit(i):
        return services.submit_appeal(
            by=world.ent_user_a, title="t", content="c", category=world.labour, idempotency_key="same-key"
        )[0].pk

    results, errors = race(4, submit)
    assert not errors
    assert len(set(results)) == 1
    assert Appeal.objects.count() == 1


def test_concurrent_numbers_are_unique(world):
    results, errors = race(6, lambda i: world.submit().number)
    assert not errors and len(set(results)) == 6


def test_concurrent_auto_close_sweeps_close_once(world, clock):
    world.replied()
    from tests.conftest import at

    results, errors = race(3, lambda i: services.close_unrated(now=at(2026, 12, 1)))
    assert sum(results) == 1
    assert AppealEvent.objects.filter(kind="auto_closed").count() == 1
