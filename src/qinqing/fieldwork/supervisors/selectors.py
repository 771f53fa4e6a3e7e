"""Reads of 特约监督员: their appointment, confidential problem clues (问题线索), spot checks and the appeals they
bring, each scoped to the user."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from qinqing.accounts.models import Role, User
from qinqing.enterprises.models import Enterprise
from qinqing.fieldwork import common
from qinqing.fieldwork.models import Clue, SpotCheck, Supervisor
from qinqing.organisation.models import Department, within


def supervisor_appeal_scope(user: User) -> Q:
    return Q(submitted_by=user)


def own_supervisor(user: User) -> Supervisor | None:
    """The user's own appointment, if they are a supervisor and were appointed."""
    return getattr(user, "supervisor", None) if user.role == Role.SUPERVISOR else None


def _discipline(user: User) -> Department | None:
    dept = user.department if user.role in (Role.HANDLER, Role.DEPT_HEAD) and user.department_id else None
    return dept if dept and dept.kind == Department.Kind.DISCIPLINE else None


def clue_side(user: User, clue: Clue) -> str | None:
    """How `user` stands to a confidential clue: 'supervisor' (its author), 'office' (a dispatcher of the region),
    'discipline' (staff of a discipline-inspection department over the region), or None: not visible."""
    if user.role == Role.SUPERVISOR and clue.supervisor.user_id == user.pk:
        return "supervisor"
    if user.role == Role.DISPATCHER and user.region_id and clue.region.is_within(common.region_of(user)):
        return "office"
    dept = _discipline(user)
    if dept and clue.region.is_within(dept.region):
        return "discipline"
    return None


def may_see_clues(user: User) -> bool:
    return user.role in (Role.DISPATCHER, Role.SUPERVISOR) or _discipline(user) is not None


def clues_visible_to(user: User) -> QuerySet[Clue]:
    qs = Clue.objects.select_related("supervisor__user", "region", "department")
    if user.role == Role.SUPERVISOR:
        return qs.filter(supervisor__user=user)
    if user.role == Role.DISPATCHER and user.region_id:
        return qs.filter(within(common.region_of(user), "region"))
    dept = _discipline(user)
    if dept:
        return qs.filter(within(dept.region, "region"))
    return qs.none()


def supervisors_visible_to(user: User) -> QuerySet[Supervisor]:
    if common.is_office(user):
        return Supervisor.objects.filter(within(common.region_of(user), "region")).select_related("user")
    if user.role == Role.SUPERVISOR:
        return Supervisor.objects.filter(user=user).select_related("user")
    return Supervisor.objects.none()


def appointable(user: User) -> QuerySet[User]:
    """Accounts a dispatcher may appoint: those of the office's region (or of none) not yet appointed."""
    if user.role != Role.DISPATCHER or not user.region_id:
        return User.objects.none()
    return User.objects.filter(within(common.region_of(user), "region") | Q(region__isnull=True)).exclude(
        pk__in=Supervisor.objects.values("user_id")
    )


def candidates(user: User) -> QuerySet[User]:
    """The supervisor accounts the appointment form offers."""
    return appointable(user).filter(role=Role.SUPERVISOR, region__isnull=False)


def spot_checks_visible_to(user: User) -> QuerySet[SpotCheck]:
    qs = SpotCheck.objects.select_related("supervisor__user", "department")
    if common.is_office(user):
        return qs.filter(within(common.region_of(user), "department__region"))
    if user.role == Role.SUPERVISOR:
        return qs.filter(supervisor__user=user)
    if user.role in (Role.HANDLER, Role.DEPT_HEAD) and user.department_id:
        # A department sees the checks of itself (a head: of its sub-units too), to improve.
        return qs.filter(within(common.department_of(user), "department"))
    return qs.none()


def enterprises_in_reach(user: User) -> QuerySet[Enterprise]:
    """The enterprises a supervisor may bring an appeal for: those of their supervision region."""
    sup = own_supervisor(user)
    if sup is None:
        return Enterprise.objects.none()
    return Enterprise.objects.filter(within(sup.region, "region"))
