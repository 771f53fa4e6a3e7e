import pytest
from django.test import Client

from tests.conftest import make_uscc

MOBILE = "13700001234"


def form(world, **over):
    data = {
        "uscc": make_uscc("339902"),
        "enterprise_name": "东城新锐科技有限公司",
        "industry": "I",
        "scale": "micro",
        "region": world.east.pk,
        "contact_name": "王小明",
        "mobile": MOBILE,
        "username": "xinrui",
        "password1": "Xinrui-2026-ok",
        "password2": "Xinrui-2026-ok",
        "code": "",
    }
    return {**data, **over}


def api_signup(client, inbox, data):
    """Through the public API: ask for the code, read it from the phone, sign up."""
    r = client.post("/api/signup/codes", {"mobile": data["mobile"]}, content_type="application/json")
    assert r.status_code == 200, r.content
    return client.post(
        "/api/signup/accounts", {**data, "code": inbox.code(data["mobile"])}, content_type="application/json"
    )


@pytest.fixture
def anon():
    return Client()


def as_user(world, user):
    return Client(headers={"Authorization": f"Bearer {world.token(user)}"})
