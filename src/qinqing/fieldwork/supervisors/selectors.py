"""Reads, each scoped to the user of 特约监督员: their appointment, confidential problem clues (问题线索), spot checks and the appeals they bring."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from qinqing.accounts.models import Role, User
from qinqing.fieldwork import common
from qinqing.fieldwork.models import (
    Clue,
    SpotCheck,
    Supervisor,
)
from qinqing.organisation.models import Department


def supervisor_appeal_scope(user: User) -> Q:
    return Q(submitted_by=user)


def clue_side(user: User, clue: Clue) -> str | None:
    """How `user` stands to a confidential clue: 'supervisor' (its author), 'office' (a dispatcher of the region),
    'discipline' (staff of a discipline-inspection department over the region), or None: not visible."""
    if user.role == Role.SUPERVISOR and clue.supervisor.user_id == user.pk:
        return "supervisor"
    if user.role == Role.DISPATCHER and user.region_id and clue.region.path.startswith(user.region.path):
        return "office"
    dept = user.department if user.role in (Role.HANDLER, Role.DEPT_HEAD) else None
    if dept and dept.kind == Department.Kind.DISCIPLINE and clue.region.path.startswith(dept.region.path):
        return "discipline"
    return None


def clues_visible_to(user: User) -> QuerySet[Clue]:
    qs = Clue.objects.select_related("supervisor__user", "region", "department")
    if user.role == Role.SUPERVISOR:
        return qs.filter(supervisor__user=user)
    if user.role == Role.DISPATCHER and user.region_id:
        return qs.filter(region__path__startswith=user.region.path)
    dept = user.department if user.role in (Role.HANDLER, Role.DEPT_HEAD) else None
    if dept and dept.kind == Department.Kind.DISCIPLINE:
        return qs.filter(region__path__startswith=dept.region.path)
    return qs.none()


def supervisors_visible_to(user: User) -> QuerySet[Supervisor]:
    if common.is_office(user):
        return Supervisor.objects.filter(region__path__startswith=user.region.path).select_related("user")
    if user.role == Role.SUPERVISOR:
        return Supervisor.objects.filter(user=user).select_related("user")
    return Supervisor.objects.none()


def spot_checks_visible_to(user: User) -> QuerySet[SpotCheck]:
    qs = SpotCheck.objects.select_related("supervisor__user", "department")
    if common.is_office(user):
        return qs.filter(department__region__path__startswith=user.region.path)
    if user.role == Role.SUPERVISOR:
        return qs.filter(supervisor__user=user)
    if user.role in (Role.HANDLER, Role.DEPT_HEAD) and user.department_id:
        # A department sees the checks of itself (a head: of its sub-units too), to improve.
        return qs.filter(department__path__startswith=user.department.path)
    return qs.none()
