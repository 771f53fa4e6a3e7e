"""Reads of the field-service app, each scoped to what the user may see."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet

from qinqing.accounts.models import Role, User
from qinqing.appeals.models import Appeal
from qinqing.core.errors import NotVisible
from qinqing.core.numbers import rate
from qinqing.enterprises.models import Enterprise
from qinqing.fieldwork.models import (
    Clue,
    ContactPoint,
    Meeting,
    MeetingSeries,
    ServiceAssignment,
    ServiceRole,
    SpotCheck,
    Supervisor,
    TaskForce,
    Visit,
)
from qinqing.organisation.models import Department


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
    office = _office(user) and enterprise.region.path.startswith(user.region.path)
    if not office and not any(a.user_id == user.pk and a.ended_on is None for a in history):
        raise NotVisible("未找到该企业")
    return enterprise, history


def officer_appeal_scope(user: User) -> Q:
    """An officer sees the appeals they registered and every appeal of the enterprises they serve now."""
    return Q(submitted_by=user) | Q(enterprise_id__in=assigned_enterprise_ids(user))


def supervisor_appeal_scope(user: User) -> Q:
    return Q(submitted_by=user)


def _office(user: User) -> bool:
    return user.role in (Role.DISPATCHER, Role.LEADER) and bool(user.region_id)


def meetings_visible_to(user: User) -> QuerySet[Meeting]:
    if _office(user):
        return Meeting.objects.filter(region__path__startswith=user.region.path)
    if user.role in (Role.HANDLER, Role.DEPT_HEAD) and user.department_id:
        return Meeting.objects.filter(departments=user.department)
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        return Meeting.objects.filter(enterprises=user.enterprise_id)
    return Meeting.objects.none()


def series_visible_to(user: User) -> QuerySet[MeetingSeries]:
    if _office(user):
        return MeetingSeries.objects.filter(region__path__startswith=user.region.path)
    return MeetingSeries.objects.none()


FUNNEL = (
    ("collected", "收集问题", Q()),
    ("measures", "落实措施", Q(replied_at__isnull=False)),
    ("resolved", "解决问题", Q(resolved=True)),
)


def funnel(appeals: QuerySet[Appeal]) -> dict:
    """collected → measures set (answered at least once) → resolved, as the dashboard counts them."""
    counts = appeals.aggregate(**{key: Count("pk", filter=cond) for key, _label, cond in FUNNEL})
    total = counts["collected"] or 0
    out = {"stages": []}
    for key, label, _cond in FUNNEL:
        value = counts[key] or 0
        out["stages"].append({"key": key, "label": label, "value": value, "rate": rate(value, total)})
        out[key] = value
    return out


def meeting_appeals(meeting_ids) -> QuerySet[Appeal]:
    return Appeal.objects.filter(origin__meeting__in=meeting_ids)


def officers_visible_to(user: User) -> QuerySet[User]:
    if _office(user):
        return User.objects.filter(role=Role.OFFICER, region__path__startswith=user.region.path)
    if user.role == Role.OFFICER:
        return User.objects.filter(pk=user.pk)
    return User.objects.none()


def visits_visible_to(user: User) -> QuerySet[Visit]:
    if _office(user):
        return Visit.objects.filter(enterprise__region__path__startswith=user.region.path)
    if user.role == Role.OFFICER:
        return Visit.objects.filter(officer=user)
    return Visit.objects.none()


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
    if _office(user):
        return Supervisor.objects.filter(region__path__startswith=user.region.path).select_related("user")
    if user.role == Role.SUPERVISOR:
        return Supervisor.objects.filter(user=user).select_related("user")
    return Supervisor.objects.none()


def spot_checks_visible_to(user: User) -> QuerySet[SpotCheck]:
    qs = SpotCheck.objects.select_related("supervisor__user", "department")
    if _office(user):
        return qs.filter(department__region__path__startswith=user.region.path)
    if user.role == Role.SUPERVISOR:
        return qs.filter(supervisor__user=user)
    if user.role in (Role.HANDLER, Role.DEPT_HEAD) and user.department_id:
        # A department sees the checks of itself (a head: of its sub-units too), to improve.
        return qs.filter(department__path__startswith=user.department.path)
    return qs.none()


def contact_points_visible_to(user: User) -> QuerySet[ContactPoint]:
    if _office(user):
        return ContactPoint.objects.filter(
            enterprise__region__path__startswith=user.region.path
        ).select_related("enterprise", "department")
    return ContactPoint.objects.none()


def task_forces_visible_to(user: User) -> QuerySet[TaskForce]:
    if _office(user):
        return TaskForce.objects.filter(region__path__startswith=user.region.path)
    if user.role in (Role.HANDLER, Role.DEPT_HEAD) and user.department_id:
        return TaskForce.objects.filter(members__department=user.department_id)
    return TaskForce.objects.none()


def linked_enterprises(leader: User):
    """The key enterprises a leader is linked to ("1+1"), with their current resident specialist."""
    from django.utils import timezone

    today = timezone.localdate()
    return ServiceAssignment.objects.filter(
        current(today), user=leader, role=ServiceRole.LINKED_LEADER
    ).select_related("enterprise")
