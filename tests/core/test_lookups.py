"""The lookups every API request or intake runs: one ``raw()`` query each, read as the ORM reads the same rows,
the same on both databases."""

import datetime as dt

import pytest
from django.utils import timezone

from qinqing.accounts.models import ApiToken, User
from qinqing.enterprises.models import Contact, Enterprise

pytestmark = pytest.mark.django_db


def test_enterprise_with_primary_contact_in_one_query(world, django_assert_num_queries):
    # An earlier name that is not primary must not win over the primary contact.
    Contact.objects.create(enterprise=world.ent_a, name="艾备用", mobile="13800000009", is_primary=False)
    with django_assert_num_queries(1):
        ent = Enterprise.objects.with_primary_contact(world.ent_a.pk)
        assert ent.primary_contact() == ("陈联络", "13800000001")
    expected = Enterprise.objects.get(pk=world.ent_a.pk)
    for f in Enterprise._meta.concrete_fields:
        assert getattr(ent, f.attname) == getattr(expected, f.attname), f.name
    assert ent.primary_contact() == world.ent_a.primary_contact()  # the same answer as the plain reader


def test_enterprise_without_a_primary_takes_the_first_by_name_and_bare_is_blank(world):
    world.ent_a.contacts.update(is_primary=False)
    Contact.objects.create(enterprise=world.ent_a, name="艾备用", mobile="13800000009", is_primary=False)
    assert Enterprise.objects.with_primary_contact(world.ent_a.pk).primary_contact() == (
        world.ent_a.contacts.values_list("name", "mobile").first()
    )
    world.ent_a.contacts.all().delete()
    assert Enterprise.objects.with_primary_contact(world.ent_a.pk).primary_contact() == ("", "")
    with pytest.raises(Enterprise.DoesNotExist):
        Enterprise.objects.with_primary_contact(0)


def test_token_owner_reads_as_the_orm_reads_the_user_in_one_query(world, django_assert_num_queries, clock):
    token, raw = ApiToken.issue(user=world.dispatcher, name="脚本")
    with django_assert_num_queries(1):
        user = ApiToken.owner(raw, stale_before=timezone.now())
    expected = User.objects.get(pk=world.dispatcher.pk)
    for f in User._meta.concrete_fields:
        assert getattr(user, f.attname) == getattr(expected, f.attname), f.name
    assert user.date_joined.tzinfo is not None  # converted (SQLite returns text)
    assert user.token_id == token.pk and user.token_stale  # never used yet
    assert user.region == world.city  # relations load when first used
    token.last_used_at = timezone.now()
    token.save()
    assert not ApiToken.owner(raw, stale_before=timezone.now() - dt.timedelta(seconds=60)).token_stale
    assert ApiToken.owner(raw, stale_before=timezone.now() + dt.timedelta(seconds=1)).token_stale
    assert ApiToken.owner(raw + "x", stale_before=timezone.now()) is None


def test_revoked_token_or_inactive_user_is_no_one(world, clock):
    revoked, raw_revoked = ApiToken.issue(user=world.dispatcher, name="旧")
    revoked.revoked = True
    revoked.save()
    _, raw_inactive = ApiToken.issue(user=world.handler_hr, name="脚本")
    world.handler_hr.is_active = False
    world.handler_hr.save()
    now = timezone.now()
    assert ApiToken.owner(raw_revoked, stale_before=now) is None
    assert ApiToken.owner(raw_inactive, stale_before=now) is None
