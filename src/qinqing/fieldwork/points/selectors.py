"""Reads of 企业联系点 (人大代表联络站 and the like), each scoped to the user: the coordinating office of the
region sees the points of its enterprises."""

from __future__ import annotations

from django.db.models import QuerySet

from qinqing.accounts.models import User
from qinqing.enterprises.models import Enterprise
from qinqing.fieldwork import common
from qinqing.fieldwork.models import ContactPoint
from qinqing.organisation.models import within


def contact_points_visible_to(user: User) -> QuerySet[ContactPoint]:
    if common.is_office(user):
        return ContactPoint.objects.filter(
            within(common.region_of(user), "enterprise__region")
        ).select_related("enterprise", "department")
    return ContactPoint.objects.none()


def enterprises_in_reach(user: User) -> QuerySet[Enterprise]:
    """The enterprises the office may make contact points of: those of its region."""
    if common.is_office(user):
        return Enterprise.objects.filter(within(common.region_of(user), "region"))
    return Enterprise.objects.none()
