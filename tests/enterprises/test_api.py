"""The enterprise registry over the API: listing scoped like the selector, registration by the office only,
refusals in Chinese with a 4xx."""

import json

import pytest
from django.test import Client

from qinqing.enterprises.models import Enterprise
from tests.conftest import make_uscc

pytestmark = pytest.mark.django_db


def call(world, user, method="get", body=None, **params):
    c = Client()
    headers = {"Authorization": f"Bearer {world.token(user)}"}
    if method == "get":
        return c.get("/api/enterprises", params, headers=headers)
    return c.post("/api/enterprises", json.dumps(body), content_type="application/json", headers=headers)


def test_listing_shows_only_what_the_user_may_see_with_masked_mobiles(world):
    rows = call(world, world.dispatcher_east).json()
    assert [r["name"] for r in rows] == [world.ent_a.name]
    assert rows[0]["contacts"][0]["mobile"] == "138****0001"
    assert {r["name"] for r in call(world, world.leader).json()} == {world.ent_a.name, world.ent_b.name}
    assert [r["name"] for r in call(world, world.ent_user_b).json()] == [world.ent_b.name]


def test_listing_filters_by_name_or_uscc(world):
    assert [r["name"] for r in call(world, world.dispatcher, q="鑫达").json()] == [world.ent_b.name]
    assert [r["name"] for r in call(world, world.dispatcher, q=world.ent_a.uscc.lower()).json()] == [
        world.ent_a.name
    ]
    assert len(call(world, world.dispatcher, limit=1).json()) == 1
    assert call(world, world.dispatcher, limit=0).status_code in (400, 422)


@pytest.mark.parametrize("who", ["handler_hr", "head_hr", "sysadmin", "auditor"])
def test_listing_is_refused_to_other_roles(world, who):
    r = call(world, getattr(world, who))
    assert r.status_code == 403 and "无权" in r.json()["message"]


def test_unauthenticated_listing_is_401():
    assert Client().get("/api/enterprises").status_code == 401


def body(**kw):
    b = {
        "uscc": make_uscc("339902"),
        "name": "API登记公司",
        "industry": "C",
        "scale": "small",
        "region_code": "339902",
    }
    b.update(kw)
    return b


def test_the_office_registers_through_the_api(world):
    r = call(world, world.dispatcher_east, "post", body(contact_name="李", contact_mobile="13600000000"))
    assert r.status_code == 201, r.content
    assert r.json()["region"] == "东城区" and r.json()["contacts"][0]["mobile"] == "136****0000"


def test_registration_refusals_are_chinese_4xx(world):
    r = call(world, world.leader, "post", body())
    assert r.status_code == 403 and "调度员" in r.json()["message"]
    r = call(world, world.dispatcher_east, "post", body(region_code="000000"))
    assert r.status_code == 400 and r.json()["errors"]["region_code"] == ["未知的行政区划代码"]
    r = call(world, world.dispatcher_east, "post", body(uscc="bad"))
    assert r.status_code == 400 and "18位" in r.json()["errors"]["uscc"][0]
    r = call(world, world.dispatcher_east, "post", body(region_code="339903"))
    assert r.status_code == 400 and "region" in r.json()["errors"]
    assert not Enterprise.objects.filter(name="API登记公司").exists()
