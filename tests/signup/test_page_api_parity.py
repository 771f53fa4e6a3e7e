"""Each decision of the office through both doors: the page and the API accept the same input, refuse the same
input and refuse the same persona, with the same outcome."""

import pytest
from django.test import Client

from qinqing.accounts.models import User
from qinqing.signup.models import LinkRequest
from tests.signup.conftest import api_signup, as_user, form

pytestmark = pytest.mark.django_db


def page_as(user):
    c = Client()
    c.force_login(user)
    return c


def two_requests(world, inbox):
    ids = []
    for i, name in enumerate(("xinrui", "mingda")):
        mobile = f"1370000100{i}"
        data = form(world, username=name, mobile=mobile, enterprise_name=f"东城{name}有限公司")
        r = api_signup(Client(), inbox, data)
        assert r.status_code == 201, r.content
        ids.append(r.json()["request_id"])
    return ids


@pytest.mark.parametrize("step", ["approve", "reject"])
def test_both_doors_agree(world, sms_inbox, step):
    by_page, by_api = two_requests(world, sms_inbox)
    office = world.dispatcher_east
    body = {"reason": "非本企业人员"} if step == "reject" else {}
    # refused persona: another district's office, both doors 404, nothing changes
    west = world.dispatcher_west
    assert page_as(west).post(f"/signup/requests/{by_page}/{step}/", body).status_code == 404
    assert (
        as_user(world, west)
        .post(f"/api/signup/requests/{by_api}/{step}", body, content_type="application/json")
        .status_code
        == 404
    )
    if step == "reject":
        # refused input: no reason
        page = page_as(office).post(f"/signup/requests/{by_page}/reject/", {"reason": ""}, follow=True)
        assert "驳回理由：此项为必填项" in page.content.decode()
        r = as_user(world, office).post(
            f"/api/signup/requests/{by_api}/reject", {"reason": ""}, content_type="application/json"
        )
        assert r.status_code == 422 and r.json()["errors"] == {"reason": ["此项为必填项"]}
    assert set(LinkRequest.objects.values_list("state", flat=True)) == {"pending"}
    # accepted input
    assert page_as(office).post(f"/signup/requests/{by_page}/{step}/", body).status_code == 302
    r = as_user(world, office).post(
        f"/api/signup/requests/{by_api}/{step}", body, content_type="application/json"
    )
    assert r.status_code == 200
    a, b = LinkRequest.objects.get(pk=by_page), LinkRequest.objects.get(pk=by_api)
    assert a.state == b.state == ("approved" if step == "approve" else "rejected")
    assert a.reason == b.reason and a.decided_by == b.decided_by == office
    linked = User.objects.filter(pk__in=[a.applicant_id, b.applicant_id], enterprise__isnull=False).count()
    assert linked == (2 if step == "approve" else 0)


def test_sign_up_through_both_doors_refuses_the_same_input(world, sms_inbox):
    bad = form(world, uscc="91339902000000001X", code="123456")
    page = Client().post("/signup/", bad).content.decode()
    api = Client().post("/api/signup/accounts", bad, content_type="application/json")
    assert api.status_code == 400
    for message in api.json()["errors"]["uscc"]:
        assert message in page
