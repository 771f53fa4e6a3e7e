"""Reads, each scoped to the user of 企业联系点 (人大代表联络站 and the like): designation and the appeals collected through them."""

from __future__ import annotations

from django.db.models import QuerySet

from qinqing.accounts.models import User
from qinqing.fieldwork import common
from qinqing.fieldwork.models import (
    ContactPoint,
)


def contact_points_visible_to(user: User) -> QuerySet[ContactPoint]:
    if common.is_office(user):
        return ContactPoint.objects.filter(
            enterprise__region__path__startswith=user.region.path
        ).select_related("enterprise", "department")
    return ContactPoint.objects.none()
