"""The officer's workspace reads a fixed number of queries however many enterprises the officer serves (it was
8/12/17 queries at 1/5/10 enterprises: one light count per enterprise)."""

import pytest
from django.test import Client

from qinqing.enterprises.models import Contact, Enterprise
from qinqing.fieldwork import services
from tests.conftest import make_uscc

pytestmark = pytest.mark.django_db

# session, user, lights, assignments, unread notifications, the user's region (page chrome), categories, visits
WORKSPACE_QUERIES = 8


def _workspace(world, field, n):
    for i in range(n):
        enterprise = Enterprise.objects.create(
            uscc=make_uscc("339902"), name=f"包干企业{i}", region=world.east
        )
        Contact.objects.create(
            enterprise=enterprise, name="联络人", mobile=f"138000001{i:02d}", is_primary=True
        )
        field.serve(enterprise)
        services.register_for_enterprise(
            by=field.officer, enterprise=enterprise, title="融资", content="设备贷款", category=world.labour
        )
    c = Client()
    c.force_login(field.officer)
    return c


@pytest.mark.parametrize("n", [1, 5, 10])
def test_officer_workspace_query_count_is_constant(world, field, clock, n, django_assert_num_queries):
    c = _workspace(world, field, n)
    with django_assert_num_queries(WORKSPACE_QUERIES):
        r = c.get("/fieldwork/officer/")
    assert r.status_code == 200
    assert r.content.decode().count("记录走访/登记诉求") == n
    assert [row["open"] for row in r.context["rows"]] == [1] * n
