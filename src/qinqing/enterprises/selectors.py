"""Reads of the enterprise registry, scoped by the user: an enterprise sees itself, an office or a leader the
enterprises of its region, others none."""

from django.db.models import QuerySet

from qinqing.accounts.models import Role, User
from qinqing.enterprises.models import Enterprise
from qinqing.organisation.models import within


def enterprises_visible_to(user: User) -> QuerySet[Enterprise]:
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        return Enterprise.objects.filter(pk=user.enterprise_id)
    if user.role in (Role.DISPATCHER, Role.LEADER) and (region := user.region) is not None:
        return Enterprise.objects.filter(within(region, "region"))
    return Enterprise.objects.none()


def get_enterprise_for(user: User, pk: int) -> Enterprise | None:
    return (
        enterprises_visible_to(user)
        .select_related("region")
        .prefetch_related("contacts")
        .filter(pk=pk)
        .first()
    )
