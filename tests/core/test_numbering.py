"""Day numbers: a per-day counter bumped inside the caller's transaction, so a refused intake uses no number.
The intake saves its rows with ``save()``, the same statements and signals on PostgreSQL and SQLite."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.models.signals import post_save
from django.utils import timezone

from qinqing.appeals import services
from qinqing.appeals.models import Appeal, AppealEvent
from qinqing.core import numbering, workcalendar
from qinqing.core.models import DailySequence

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 16)


def submit(world, **kw):
    fields = dict(by=world.ent_user_a, title="招工难", content="旺季缺人", category=world.labour)
    fields.update(kw)
    return services.submit_appeal(**fields)[0]


def test_numbers_count_up_per_day_and_prefix():
    assert numbering.next_number("QQ", DAY) == "QQ202611160001"
    assert numbering.next_number("QQ", DAY) == "QQ202611160002"
    assert numbering.next_number("QQ", DAY + dt.timedelta(days=1)) == "QQ202611170001"
    assert numbering.next_number("HY", DAY) == "HY202611160001"
    assert DailySequence.objects.get(prefix="QQ", day=DAY).value == 2


def test_numbers_widen_past_9999_instead_of_wrapping():
    DailySequence.objects.create(prefix="QQ", day=DAY, value=9999)
    assert numbering.next_number("QQ", DAY) == "QQ2026111610000"
    assert numbering.next_number("QQ", DAY) == "QQ2026111610001"


def test_intake_saves_the_appeal_with_the_next_number_and_its_event(world, clock):
    first, second = submit(world), submit(world, title="用电难")
    day = workcalendar.local_date(timezone.now())
    assert (first.number, second.number) == (
        numbering.format_number("QQ", day, 1),
        numbering.format_number("QQ", day, 2),
    )
    stored = AppealEvent.objects.select_related("appeal").get(appeal=second)
    assert stored.kind == "submitted" and stored.appeal.title == "用电难"
    assert not second._state.adding and second.events.get() == stored


def test_post_save_fires_for_the_appeal_and_its_event(world, clock):
    seen = []

    def listen(sender, instance, created, **kwargs):
        seen.append((sender.__name__, instance.pk, created))

    post_save.connect(listen, sender=Appeal)
    post_save.connect(listen, sender=AppealEvent)
    try:
        appeal = submit(world)
    finally:
        post_save.disconnect(listen, sender=Appeal)
        post_save.disconnect(listen, sender=AppealEvent)
    assert seen == [("Appeal", appeal.pk, True), ("AppealEvent", appeal.events.get().pk, True)]


def test_a_refused_intake_uses_no_number_and_leaves_nothing(world, clock):
    submit(world)

    def refuse(sender, instance, **kwargs):
        raise IntegrityError("refused after the counter and the appeal were written")

    post_save.connect(refuse, sender=AppealEvent)
    try:
        with pytest.raises(IntegrityError), transaction.atomic():
            submit(world, title="第二个")
    finally:
        post_save.disconnect(refuse, sender=AppealEvent)

    assert Appeal.objects.count() == 1 and AppealEvent.objects.count() == 1
    assert DailySequence.objects.get().value == 1
    again = submit(world, title="第三个")
    assert again.number.endswith("0002")  # gap-free


def test_a_repeated_idempotency_key_answers_with_the_first_appeal_and_no_number(world, clock):
    first, created = services.submit_appeal(
        by=world.ent_user_a, title="招工难", content="缺人", category=world.labour, idempotency_key="k1"
    )
    again, created_again = services.submit_appeal(
        by=world.ent_user_a, title="招工难", content="缺人", category=world.labour, idempotency_key="k1"
    )
    assert (created, created_again) == (True, False) and again == first
    assert DailySequence.objects.get().value == 1
