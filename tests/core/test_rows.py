"""Hand-written SELECTs read into model instances: the same values as the ORM's, on either database."""

import pytest

from qinqing.accounts.models import User
from qinqing.core import rows
from qinqing.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db


def test_a_row_reads_as_the_orm_reads_it_with_extra_columns(world):
    table = User._meta.db_table
    sql = f"SELECT {rows.columns(User, 'u')}, 41 + 1, 'x' FROM {table} u WHERE u.id = %s"  # noqa: S608
    user = rows.first(User, "u", sql, [world.dispatcher.pk], extra=("answer", "letter"))
    expected = User.objects.get(pk=world.dispatcher.pk)
    for f in User._meta.concrete_fields:
        assert getattr(user, f.attname) == getattr(expected, f.attname), f.name
    assert user.date_joined.tzinfo is not None  # converted (SQLite returns text)
    assert (user.answer, user.letter) == (42, "x")
    assert not user._state.adding and user.region == world.city  # relations load lazily


def test_no_row_is_none(world):
    table = Enterprise._meta.db_table
    sql = f"SELECT {rows.columns(Enterprise, 'e')} FROM {table} e WHERE e.id = %s"  # noqa: S608
    assert rows.first(Enterprise, "e", sql, [0]) is None


def test_enterprise_with_primary_contact(world):
    ent = Enterprise.objects.with_primary_contact(world.ent_a.pk)
    assert ent == world.ent_a and ent.primary_contact() == ("陈联络", "13800000001")
    world.ent_a.contacts.all().delete()
    bare = Enterprise.objects.with_primary_contact(world.ent_a.pk)
    assert bare.primary_contact() == ("", "")
    with pytest.raises(Enterprise.DoesNotExist):
        Enterprise.objects.with_primary_contact(0)
