"""The enterprise registry: USCC and mobile validation, registration by the office of the region, and reads
scoped by the user (an enterprise sees itself, an office or a leader its region, everyone else nothing)."""

import pytest
from django.core.exceptions import ValidationError

from qinqing.accounts.models import Role, User
from qinqing.core.errors import InvalidInput, NotPermitted
from qinqing.enterprises import selectors, services
from qinqing.enterprises.models import Contact, Enterprise
from qinqing.enterprises.validators import mask_mobile, normalise_uscc, validate_mobile, validate_uscc
from tests.conftest import make_uscc

pytestmark = pytest.mark.django_db


# --- validation -------------------------------------------------------------------------------------------


def test_a_valid_uscc_passes_and_is_normalised():
    code = make_uscc()
    validate_uscc(code)
    assert normalise_uscc(f" {code[:6]} {code[6:]} ".lower()) == code
    assert normalise_uscc(None) == ""


@pytest.mark.parametrize(
    ("value", "code", "text"),
    [
        ("91339900", "uscc_length", "应为18位"),
        ("__WRONG__", "uscc_length", "应为18位"),
    ],
)
def test_a_short_uscc_is_refused_in_chinese(value, code, text):
    with pytest.raises(ValidationError) as exc:
        validate_uscc(value)
    assert exc.value.code == code and text in exc.value.messages[0]


def test_a_wrong_check_digit_is_refused_in_chinese():
    good = make_uscc()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        validate_uscc(bad)
    assert exc.value.code in ("uscc_checksum", "uscc_format")
    assert "统一社会信用代码" in exc.value.messages[0]


def test_a_malformed_uscc_is_refused_in_chinese():
    with pytest.raises(ValidationError) as exc:
        validate_uscc("IIIIIIIIIIIIIIIIII")
    assert exc.value.code == "uscc_format" and "格式不正确" in exc.value.messages[0]


def test_model_validation_normalises_and_checks_the_uscc(world):
    e = Enterprise(uscc=make_uscc().lower(), name="新企业", industry="C", scale="small", region=world.east)
    e.full_clean()
    assert e.uscc == e.uscc.upper()
    e.uscc = "123"
    with pytest.raises(ValidationError) as exc:
        e.full_clean()
    assert "uscc" in exc.value.message_dict


def test_mobiles_are_validated_and_masked():
    validate_mobile("13800000000")
    for bad in ("12800000000", "1380000000", "", "138000000001"):
        with pytest.raises(ValidationError):
            validate_mobile(bad)
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_mobile("123") == "****"


def test_the_primary_contact_comes_first_else_the_first_by_name(world):
    assert world.ent_a.primary_contact() == ("陈联络", "13800000001")
    loaded = Enterprise.objects.with_primary_contact(world.ent_a.pk)
    assert loaded.primary_contact() == ("陈联络", "13800000001")
    bare = Enterprise.objects.create(
        uscc=make_uscc(), name="无联系人公司", industry="C", scale="micro", region=world.east
    )
    assert bare.primary_contact() == ("", "")
    assert Enterprise.objects.with_primary_contact(bare.pk).primary_contact() == ("", "")
    Contact.objects.create(enterprise=bare, name="乙", mobile="13800000009")
    Contact.objects.create(enterprise=bare, name="甲", mobile="13800000008")
    assert bare.primary_contact()[1] in ("13800000008", "13800000009")
    assert Enterprise.objects.with_primary_contact(bare.pk).primary_contact() == bare.primary_contact()
    with pytest.raises(Enterprise.DoesNotExist):
        Enterprise.objects.with_primary_contact(10**9)
    assert str(world.ent_a) == "东城恒信机械有限公司"
    assert str(world.ent_a.contacts.first()) == "陈联络 138****0001"


# --- who sees which enterprise -----------------------------------------------------------------------------


def test_an_enterprise_user_sees_only_itself(world):
    assert list(selectors.enterprises_visible_to(world.ent_user_a)) == [world.ent_a]
    assert selectors.get_enterprise_for(world.ent_user_a, world.ent_a.pk) == world.ent_a
    assert selectors.get_enterprise_for(world.ent_user_a, world.ent_b.pk) is None


def test_an_office_and_a_leader_see_their_region(world):
    assert set(selectors.enterprises_visible_to(world.dispatcher)) == {world.ent_a, world.ent_b}
    assert set(selectors.enterprises_visible_to(world.leader)) == {world.ent_a, world.ent_b}
    assert list(selectors.enterprises_visible_to(world.dispatcher_east)) == [world.ent_a]
    assert selectors.get_enterprise_for(world.dispatcher_east, world.ent_a.pk) == world.ent_a
    assert selectors.get_enterprise_for(world.dispatcher_east, world.ent_b.pk) is None


@pytest.mark.parametrize("who", ["handler_hr", "head_hr", "sysadmin", "auditor"])
def test_others_see_no_enterprise(world, who):
    user = getattr(world, who)
    assert not selectors.enterprises_visible_to(user).exists()
    assert selectors.get_enterprise_for(user, world.ent_a.pk) is None


def test_an_enterprise_account_without_an_enterprise_sees_nothing(world):
    orphan = User.objects.create_user(username="orphan", password="x", role=Role.ENTERPRISE)
    assert not selectors.enterprises_visible_to(orphan).exists()


# --- registration -----------------------------------------------------------------------------------------


def register(world, by=None, **kw):
    fields = {
        "uscc": make_uscc("339902"),
        "name": "东城新登记科技有限公司",
        "industry": "I",
        "scale": "small",
        "region": world.east,
        "contact_name": "王联络",
        "contact_mobile": "13700000003",
    }
    fields.update(kw)
    return services.register_enterprise(by=by or world.dispatcher_east, **fields)


def test_an_office_registers_an_enterprise_in_its_region_with_its_contact(world):
    e = register(world)
    assert e.region == world.east and e.contacts.get().is_primary
    assert selectors.get_enterprise_for(world.dispatcher_east, e.pk) == e


def test_only_an_office_may_register(world):
    for who in (world.leader, world.handler_hr, world.ent_user_a):
        with pytest.raises(NotPermitted):
            register(world, by=who)
    assert not Enterprise.objects.filter(name="东城新登记科技有限公司").exists()


def test_an_office_may_not_register_outside_its_region(world):
    with pytest.raises(InvalidInput) as exc:
        register(world, by=world.dispatcher_west)
    assert exc.value.errors["region"] == ["只能登记本管辖区划内的企业"]


def test_registration_reports_every_bad_field_in_chinese(world):
    with pytest.raises(InvalidInput) as exc:
        register(
            world, uscc="123", name=" ", industry="Z", scale="huge", contact_mobile="123", contact_name=""
        )
    errors = exc.value.errors
    assert set(errors) == {"uscc", "name", "industry", "scale", "contact_mobile", "contact_name"}
    assert "18位" in errors["uscc"][0]
    with pytest.raises(InvalidInput) as exc:
        register(world, uscc=world.ent_a.uscc)
    assert exc.value.errors["uscc"] == ["该统一社会信用代码已登记"]
    assert Enterprise.objects.count() == 2


def test_registration_without_a_contact_creates_none(world):
    e = register(world, contact_name="", contact_mobile="")
    assert not e.contacts.exists()
