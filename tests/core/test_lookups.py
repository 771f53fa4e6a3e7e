"""The lookups every request or intake runs, through the ORM: one query each, the same on both databases."""

import pytest

from qinqing.accounts.models import ApiToken
from qinqing.enterprises.models import Contact, Enterprise

pytestmark = pytest.mark.django_db


def test_enterprise_with_primary_contact_in_one_query(world, django_assert_num_queries):
    # An earlier name that is not primary must not win over the primary contact.
    Contact.objects.create(enterprise=world.ent_a, name="艾备用", mobile="13800000009", is_primary=False)
    with django_assert_num_queries(1):
        ent = Enterprise.objects.with_primary_contact(world.ent_a.pk)
        assert ent == world.ent_a and ent.primary_contact() == ("陈联络", "13800000001")
        assert ent.region_id == world.east.pk
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


def test_active_token_carries_its_user_in_one_query(world, django_assert_num_queries):
    _, raw = ApiToken.issue(user=world.dispatcher, name="脚本")
    with django_assert_num_queries(1):
        token = ApiToken.active(raw)
        assert token.user == world.dispatcher and token.user.region_id == world.city.pk
    assert ApiToken.active(raw + "x") is None


def test_revoked_token_or_inactive_user_is_no_one(world):
    revoked, raw_revoked = ApiToken.issue(user=world.dispatcher, name="旧")
    revoked.revoked = True
    revoked.save()
    _, raw_inactive = ApiToken.issue(user=world.handler_hr, name="脚本")
    world.handler_hr.is_active = False
    world.handler_hr.save()
    assert ApiToken.active(raw_revoked) is None and ApiToken.active(raw_inactive) is None
