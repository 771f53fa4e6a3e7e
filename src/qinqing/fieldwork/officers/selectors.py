"""Reads, each scoped to the user of 首席服务官, 驻点专员 and linked leaders: who serves which enterprise when, their visits and the appeals they register."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from qinqing.accounts.models import Role, User
from qinqing.core.errors import NotVisible
from qinqing.enterprises.models import Enterprise
from qinqing.fieldwork import common
from qinqing.fieldwork.models import (
    ServiceAssignment,
    ServiceRole,
    Visit,
)


def current(day: dt.date) -> Q:
    """Assignments in force on `day`."""
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gte=day))


def serving(officer: User, enterprise, day: dt.date) -> ServiceAssignment | None:
    """The officer's chief-officer or resident-specialist assignment to the enterprise on `day`, if any."""
    return (
        ServiceAssignment.objects.filter(current(day), user=officer, enterprise=enterprise)
        .exclude(role=ServiceRole.LINKED_LEADER)
        .first()
    )


def served_by(enterprise, day: dt.date) -> list[ServiceAssignment]:
    """Who served the enterprise on `day` (chief officer, resident specialist, linked leader)."""
    return list(ServiceAssignment.objects.filter(current(day), enterprise=enterprise).select_related("user"))


def assignments_of(user: User, day: dt.date | None = None) -> QuerySet[ServiceAssignment]:
    """What `user` serves on `day` (today by default), with the enterprises."""
    from django.utils import timezone

    return ServiceAssignment.objects.filter(current(day or timezone.localdate()), user=user).select_related(
        "enterprise", "user"
    )


def assigned_enterprise_ids(user: User, day: dt.date | None = None) -> QuerySet:
    return assignments_of(user, day).values("enterprise_id")


def service_record(user: User, enterprise_id: int) -> tuple[Enterprise, list[ServiceAssignment]]:
    """An enterprise and its assignment history, newest first, for the office of its region or whoever serves it
    now; NotVisible for anyone else, exactly as for an enterprise that does not exist."""
    enterprise = Enterprise.objects.filter(pk=enterprise_id).select_related("region").first()
    if enterprise is None:
        raise NotVisible("未找到该企业")
    history = list(
        enterprise.service_assignments.select_related("enterprise", "user").order_by("-started_on", "-id")
    )
    office = common.is_office(user) and enterprise.region.path.startswith(user.region.path)
    if not office and not any(a.user_id == user.pk and a.ended_on is None for a in history):
        raise NotVisible("未找到该企业")
    return enterprise, history


def officer_appeal_scope(user: User) -> Q:
    """An officer sees the appeals they registered and every appeal of the enterprises they serve now."""
    return Q(submitted_by=user) | Q(enterprise_id__in=assigned_enterprise_ids(user))


def officers_visible_to(user: User) -> QuerySet[User]:
    if common.is_office(user):
        return User.objects.filter(role=Role.OFFICER, region__path__startswith=user.region.path)
    if user.role == Role.OFFICER:
        return User.objects.filter(pk=user.pk)
    return User.objects.none()


def visits_visible_to(user: User) -> QuerySet[Visit]:
    if common.is_office(user):
        return Visit.objects.filter(enterprise__region__path__startswith=user.region.path)
    if user.role == Role.OFFICER:
        return Visit.objects.filter(officer=user)
    return Visit.objects.none()


def linked_enterprises(leader: User):
    """The key enterprises a leader is linked to ("1+1"), with their current resident specialist."""
    from django.utils import timezone

    today = timezone.localdate()
    return ServiceAssignment.objects.filter(
        current(today), user=leader, role=ServiceRole.LINKED_LEADER
    ).select_related("enterprise")
