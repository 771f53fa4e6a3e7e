"""Day numbers and the numbered insert: the same results on PostgreSQL (one statement) and SQLite (row by row)."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.models.signals import post_save
from django.utils import timezone

from qinqing.appeals.models import Appeal, AppealEvent
from qinqing.core import numbering
from qinqing.core.models import DailySequence

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 16)


def unsaved(world, **kw):
    fields = dict(
        title="招工难",
        content="旺季缺人",
        category=world.labour,
        enterprise=world.ent_a,
        region=world.east,
        submitted_by=world.ent_user_a,
        contact_name="张三",
        contact_mobile="13800000001",
        submitted_at=timezone.now(),
    )
    fields.update(kw)
    appeal = Appeal(**fields)
    event = AppealEvent(appeal=appeal, kind="submitted", actor=world.ent_user_a, to_status="submitted")
    event.created_at = timezone.now()
    return appeal, event


def test_rows_are_saved_with_the_next_number_and_linked(world):
    first, _ = unsaved(world)
    numbering.insert_numbered(first, prefix="QQ", day=DAY)
    appeal, event = unsaved(world)
    numbering.insert_numbered(appeal, prefix="QQ", day=DAY, followers=[(event, "appeal")])

    assert (first.number, appeal.number) == ("QQ202611160001", "QQ202611160002")
    assert appeal.pk and event.pk and not appeal._state.adding
    assert event.appeal is appeal
    stored = AppealEvent.objects.select_related("appeal").get(pk=event.pk)
    assert stored.appeal.number == "QQ202611160002" and stored.appeal.title == "招工难"
    assert DailySequence.objects.get(prefix="QQ", day=DAY).value == 2


def test_numbers_widen_past_9999_instead_of_wrapping(world):
    DailySequence.objects.create(prefix="QQ", day=DAY, value=9999)
    appeal, _ = unsaved(world)
    numbering.insert_numbered(appeal, prefix="QQ", day=DAY)
    assert appeal.number == "QQ2026111610000"
    assert numbering.next_number("QQ", DAY) == "QQ2026111610001"


def test_post_save_fires_for_every_row_as_for_save(world):
    seen = []

    def listen(sender, instance, created, **kwargs):
        seen.append((sender.__name__, instance.pk, created))

    appeal, event = unsaved(world)
    post_save.connect(listen, sender=Appeal)
    post_save.connect(listen, sender=AppealEvent)
    try:
        numbering.insert_numbered(appeal, prefix="QQ", day=DAY, followers=[(event, "appeal")])
    finally:
        post_save.disconnect(listen, sender=Appeal)
        post_save.disconnect(listen, sender=AppealEvent)
    assert seen == [("Appeal", appeal.pk, True), ("AppealEvent", event.pk, True)]


def test_a_refused_row_uses_no_number_and_leaves_nothing(world):
    numbering.insert_numbered(unsaved(world)[0], prefix="QQ", day=DAY)
    appeal, event = unsaved(world)
    event.kind = None  # NOT NULL: the follower fails after the counter and the appeal were written
    with pytest.raises(IntegrityError), transaction.atomic():
        numbering.insert_numbered(appeal, prefix="QQ", day=DAY, followers=[(event, "appeal")])

    assert Appeal.objects.count() == 1 and AppealEvent.objects.count() == 0
    assert DailySequence.objects.get(prefix="QQ", day=DAY).value == 1
    again, _ = unsaved(world)
    numbering.insert_numbered(again, prefix="QQ", day=DAY)
    assert again.number == "QQ202611160002"  # gap-free


def test_the_cached_insert_text_and_parameters_are_djangos_own(world, clock):
    from django.db import connection
    from django.db.models import Value
    from django.db.models.expressions import RawSQL
    from django.db.models.sql import InsertQuery

    def compiled(row):
        meta = row._meta
        fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
        query = InsertQuery(type(row))
        query.insert_values(fields, [row])
        [(sql, params)] = query.get_compiler(connection=connection).as_sql()
        return sql, list(params)

    def comparable(compiled):
        sql, params = compiled
        return sql, [getattr(p, "obj", p) for p in params]  # psycopg's Jsonb wrapper has no equality

    numbering._compiled.clear()
    for i in range(2):  # the first call compiles, the second uses the cached text
        appeal, event = unsaved(world, title=f"第{i}个", urgency="urgent", idempotency_key=f"k{i}")
        appeal.number = RawSQL("(SELECT 'x')", [])
        event.data = {"channel": "online", "n": i}
        event.appeal_id = RawSQL("(SELECT 1)", [])
        assert comparable(numbering._insert_sql(appeal)) == comparable(compiled(appeal))
        assert comparable(numbering._insert_sql(event)) == comparable(compiled(event))
    assert len(numbering._compiled) == 2
    event.appeal_id = RawSQL("(SELECT 2)", [])  # other expression SQL: compiled afresh, not the cached text
    assert comparable(numbering._insert_sql(event)) == comparable(compiled(event))
    assert len(numbering._compiled) == 3
    appeal.title = Value("另一种表达式")  # not RawSQL: compiled every time, never cached
    assert comparable(numbering._insert_sql(appeal)) == comparable(compiled(appeal))
    assert len(numbering._compiled) == 3
