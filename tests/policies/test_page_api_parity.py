"""Each policy action through the page and the API: the same input accepted, the same refused with the same
Chinese message, the same persona refused."""

import pytest
from django.contrib.messages import get_messages

from qinqing.policies.models import PolicyMute
from tests.policies.test_permissions_and_pages import api, client_for

pytestmark = pytest.mark.django_db

CASES = [
    # (page path, API path, form, persona attribute, accepted?)
    (
        "/policies/file/",
        "/my/file",
        {"key": "employees", "value": "35", "as_of": "2026-11-01"},
        "ent_user_a",
        True,
    ),
    (
        "/policies/file/",
        "/my/file",
        {"key": "employees", "value": "-3", "as_of": "2026-11-01"},
        "ent_user_a",
        False,
    ),
    (
        "/policies/file/",
        "/my/file",
        {"key": "tax_credit_grade", "value": "E", "as_of": "2026-11-01"},
        "ent_user_a",
        False,
    ),
]


@pytest.mark.parametrize(("page", "path", "form", "who", "accepted"), CASES)
def test_declare_through_both_doors(world, clock, page, path, form, who, accepted):
    user = getattr(world, who)
    response = client_for(user).post(page, form)
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    first = world.ent_a.attributes.filter(key=form["key"]).first()
    world.ent_a.attributes.all().delete()
    answer = api(world, user, "post", path, form)
    second = world.ent_a.attributes.filter(key=form["key"]).first()
    assert (first is not None) == (second is not None) == accepted
    if not accepted:
        assert answer.status_code == 400
        message = answer.json()["errors"]["value"][0]
        assert any(message in s for s in shown)


def test_condition_through_both_doors(world, lib):
    item = lib.item()
    bad = {"attribute": "employees", "operator": "gte", "value": "很多", "clause": "第一条"}
    page = client_for(world.handler_hr).post(f"/policies/items/{item.pk}/", {"do": "add_condition", **bad})
    shown = " ".join(str(m) for m in get_messages(page.wsgi_request))
    answer = api(world, world.handler_hr, "post", f"/items/{item.pk}/conditions", bad)
    assert answer.status_code == 400 and answer.json()["errors"]["value"][0] in shown
    good = bad | {"value": "10"}
    client_for(world.handler_hr).post(f"/policies/items/{item.pk}/", {"do": "add_condition", **good})
    assert api(world, world.handler_hr, "post", f"/items/{item.pk}/conditions", good).status_code == 201
    assert item.conditions.count() == 2
    # Refused persona, both doors.
    client_for(world.handler_power).post(f"/policies/items/{item.pk}/", {"do": "add_condition", **good})
    assert api(world, world.handler_power, "post", f"/items/{item.pk}/conditions", good).status_code == 403
    assert item.conditions.count() == 2


def test_mute_through_both_doors(world):
    client_for(world.ent_user_a).post("/policies/mine/", {"kind": "subsidy", "muted": "true"})
    assert api(world, world.ent_user_a, "post", "/my/mutes", {"kind": "relief"}).json() == {
        "kind": "relief",
        "muted": True,
    }
    assert set(PolicyMute.objects.values_list("kind", flat=True)) == {"subsidy", "relief"}
    assert api(world, world.ent_user_a, "post", "/my/mutes", {"kind": "grey"}).status_code == 400


REDEMPTION = [
    # (action, form, persona, accepted?, field of the refusal)
    ("exclude", {"reason": "已享受同类补助"}, "handler_hr", True, None),
    ("confirm", {"amount": "20"}, "handler_hr", True, None),
    ("confirm", {"amount": "50"}, "handler_hr", False, "amount"),  # over the budget
    ("confirm", {"amount": "20"}, "handler_power", False, None),  # another department: not visible
    ("confirm", {"amount": "20"}, "ent_user_a", False, None),  # the enterprise: not its step
]


@pytest.mark.parametrize(("action", "form", "who", "accepted", "field"), REDEMPTION)
def test_redemption_actions_through_both_doors(world, lib, clock, action, form, who, accepted, field):
    from decimal import Decimal

    from qinqing.policies import matching
    from qinqing.policies import redemption_services as services
    from qinqing.policies.models import RedemptionCase

    lib.attr(world.ent_a, "employees", "50")
    lib.attr(world.ent_b, "employees", "80")
    item = lib.item(
        "稳岗返还", conditions=[("employees", "gte", "10")], amount_rule="固定 20", budget=Decimal("45")
    )
    matching.run(push=False)
    services.open_candidates([item.pk])
    by_page, by_api = (
        RedemptionCase.objects.get(item=item, enterprise=e) for e in (world.ent_a, world.ent_b)
    )
    user = getattr(world, who)
    page = client_for(user).post(f"/policies/redemption/{by_page.pk}/", {"do": action, **form})
    shown = " ".join(str(m) for m in get_messages(page.wsgi_request))
    if who == "ent_user_a":  # an enterprise sees only its own case: both doors try the same one
        by_api = by_page
    answer = api(world, user, "post", f"/redemption/cases/{by_api.pk}/{action}", form)
    by_page.refresh_from_db()
    by_api.refresh_from_db()
    assert by_page.state == by_api.state
    assert (by_page.state != "candidate") == accepted == (answer.status_code == 200)
    if who == "handler_power":
        assert page.status_code == 404 and answer.status_code == 404
    elif field:
        assert answer.status_code == 400 and answer.json()["errors"][field][0] in shown
    elif not accepted:
        assert answer.status_code == 403 and answer.json()["message"] in shown
