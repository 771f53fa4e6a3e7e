"""Reads, each scoped to the user of 政企交流 and 座谈会: series, meetings, the issues raised at them and the series' funnel."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from qinqing.accounts.models import Role, User
from qinqing.appeals.models import Appeal
from qinqing.core.numbers import rate
from qinqing.enterprises.models import Enterprise
from qinqing.fieldwork import common
from qinqing.fieldwork.models import (
    Meeting,
    MeetingSeries,
)
from qinqing.organisation.models import containing, within


def meetings_visible_to(user: User) -> QuerySet[Meeting]:
    if common.is_office(user):
        return Meeting.objects.filter(within(common.region_of(user), "region"))
    if user.role in (Role.HANDLER, Role.DEPT_HEAD) and user.department_id:
        return Meeting.objects.filter(departments=user.department)
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        return Meeting.objects.filter(enterprises=user.enterprise_id)
    return Meeting.objects.none()


def series_visible_to(user: User) -> QuerySet[MeetingSeries]:
    if common.is_office(user):
        return MeetingSeries.objects.filter(within(common.region_of(user), "region"))
    return MeetingSeries.objects.none()


def hosts_for(user: User) -> QuerySet[User]:
    """The leaders who may host the office's meetings: those of its region, below it or above it."""
    if not common.is_office(user):
        return User.objects.none()
    return User.objects.filter(
        within(common.region_of(user), "region") | containing(common.region_of(user), "region"),
        role=Role.LEADER,
    )


def enterprises_in_reach(user: User) -> QuerySet[Enterprise]:
    """The enterprises the office may invite: those of its region."""
    if not common.is_office(user):
        return Enterprise.objects.none()
    return Enterprise.objects.filter(within(common.region_of(user), "region"))


FUNNEL = (
    ("collected", "收集问题", Q()),
    ("measures", "落实措施", Q(replied_at__isnull=False)),
    ("resolved", "解决问题", Q(resolved=True)),
)


def funnel(appeals: QuerySet[Appeal]) -> dict:
    """collected → measures set (answered at least once) → resolved, as the dashboard counts them."""
    counts = appeals.aggregate(**{key: Count("pk", filter=cond) for key, _label, cond in FUNNEL})
    total = counts["collected"] or 0
    out: dict[str, Any] = {"stages": []}
    for key, label, _cond in FUNNEL:
        value = counts[key] or 0
        out["stages"].append({"key": key, "label": label, "value": value, "rate": rate(value, total)})
        out[key] = value
    return out


def meeting_appeals(meeting_ids) -> QuerySet[Appeal]:
    return Appeal.objects.filter(origin__meeting__in=meeting_ids)
