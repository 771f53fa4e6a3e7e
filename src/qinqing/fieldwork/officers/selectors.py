"""Reads of 首席服务官, 驻点专员 and linked leaders, each scoped to the user: who serves which enterprise when,
their visits and the appeals they register."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.appeals import selectors as appeal_selectors
from qinqing.appeals.models import OPEN_STATUSES, Appeal, Light
from qinqing.core.errors import NotVisible
from qinqing.enterprises.models import Enterprise
from qinqing.fieldwork import common
from qinqing.fieldwork.models import (
    ServiceAssignment,
    ServiceRole,
    Visit,
)
from qinqing.organisation.models import containing, within


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
    office = common.is_office(user) and enterprise.region.is_within(common.region_of(user))
    if not office and not any(a.user_id == user.pk and a.ended_on is None for a in history):
        raise NotVisible("未找到该企业")
    return enterprise, history


def officer_appeal_scope(user: User) -> Q:
    """An officer sees the appeals they registered and every appeal of the enterprises they serve now."""
    return Q(submitted_by=user) | Q(enterprise_id__in=assigned_enterprise_ids(user))


def officers_visible_to(user: User) -> QuerySet[User]:
    if common.is_office(user):
        return User.objects.filter(within(common.region_of(user), "region"), role=Role.OFFICER)
    if user.role == Role.OFFICER:
        return User.objects.filter(pk=user.pk)
    return User.objects.none()


def visits_visible_to(user: User) -> QuerySet[Visit]:
    if common.is_office(user):
        return Visit.objects.filter(within(common.region_of(user), "enterprise__region"))
    if user.role == Role.OFFICER:
        return Visit.objects.filter(officer=user)
    return Visit.objects.none()


def linked_enterprises(leader: User, day: dt.date | None = None) -> QuerySet[ServiceAssignment]:
    """The key enterprises a leader is linked to ("1+1"), each with the whole team serving it that day."""
    day = day or timezone.localdate()
    team = ServiceAssignment.objects.filter(current(day)).select_related("user")
    return (
        ServiceAssignment.objects.filter(current(day), user=leader, role=ServiceRole.LINKED_LEADER)
        .select_related("enterprise")
        .prefetch_related(Prefetch("enterprise__service_assignments", queryset=team, to_attr="team"))
    )


def lights_of_served(user: User, day: dt.date | None = None) -> dict[int, dict]:
    """Open, yellow and red appeals of each enterprise `user` serves (or is linked to) on `day`, in one query."""
    now = timezone.now()
    rows = (
        Appeal.objects.filter(enterprise_id__in=assigned_enterprise_ids(user, day))
        .values("enterprise_id")
        .annotate(
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            red=Count("pk", filter=appeal_selectors.light_q(Light.RED, now)),
            yellow=Count("pk", filter=appeal_selectors.light_q(Light.YELLOW, now)),
        )
    )
    return {r["enterprise_id"]: {"open": r["open"], "red": r["red"], "yellow": r["yellow"]} for r in rows}


def workspace(user: User, day: dt.date) -> list[dict]:
    """The officer's enterprises with their lights: a fixed number of queries however many there are."""
    lights = lights_of_served(user, day)
    empty = {"open": 0, "red": 0, "yellow": 0}
    return [{"assignment": a, **lights.get(a.enterprise_id, empty)} for a in assignments_of(user, day)]


def own_visits(user: User) -> QuerySet[Visit]:
    return Visit.objects.filter(officer=user).select_related("enterprise")


def served_enterprise(user: User, pk: int | None, day: dt.date | None = None) -> Enterprise | None:
    """One enterprise `user` serves as chief officer or resident specialist on `day`, or None."""
    if user.role != Role.OFFICER:
        return None
    return Enterprise.objects.filter(pk=pk or 0, pk__in=assigned_enterprise_ids(user, day)).first()


def office_enterprise(user: User, pk: int) -> Enterprise:
    """An enterprise of the office's region; NotVisible otherwise, as for one that does not exist."""
    found = None
    if common.is_office(user):
        found = (
            Enterprise.objects.filter(within(common.region_of(user), "region"), pk=pk)
            .select_related("region")
            .first()
        )
    if found is None:
        raise NotVisible("未找到该企业")
    return found


def assignable(user: User) -> QuerySet[User]:
    """People the office may put to serve its enterprises: of its region, a region above it, or of none."""
    if user.role != Role.DISPATCHER or not user.region_id:
        return User.objects.none()
    return User.objects.filter(
        within(common.region_of(user), "region")
        | containing(common.region_of(user), "region")
        | Q(region__isnull=True)
    )


def people_for(user: User) -> QuerySet[User]:
    """The officers and leaders the assignment form offers."""
    return assignable(user).filter(
        within(common.region_of(user), "region"), role__in=[Role.OFFICER, Role.LEADER]
    )
