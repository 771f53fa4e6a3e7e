"""The region or department of a staff account, for code that serves only the roles that have one."""

import pytest
from django.http import Http404

from qinqing.accounts.models import Role, User
from qinqing.accounts.scope import department_of, region_of


def test_region_of_an_office_is_its_region(world):
    assert region_of(world.dispatcher_east) == world.east


def test_region_of_an_account_without_one_is_not_found(world):
    misconfigured = User.objects.create_user(
        username="no_region", password="pw-qinqing-1", role=Role.DISPATCHER
    )
    with pytest.raises(Http404):
        region_of(misconfigured)


def test_department_of_a_handler_is_its_department(world):
    assert department_of(world.handler_hr) == world.hr


def test_department_of_an_account_without_one_is_not_found(world):
    with pytest.raises(Http404):
        department_of(world.dispatcher_east)
