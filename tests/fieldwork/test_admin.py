"""The system administrator manages field-service reference data, never the confidential clues."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_admin_has_the_reference_data_and_not_the_clues(world, field, clock):
    field.serve(world.ent_a)
    field.appoint()
    c = Client()
    c.force_login(world.sysadmin)
    for model in ("meetingseries", "supervisor", "contactpoint", "serviceassignment"):
        assert c.get(f"/admin/fieldwork/{model}/").status_code == 200, model
    assert world.ent_a.name in c.get("/admin/fieldwork/serviceassignment/").content.decode()
    # The history changes only through the office's page.
    assert c.get("/admin/fieldwork/serviceassignment/add/").status_code == 403
    assert c.get("/admin/fieldwork/clue/").status_code == 404
