"""Reads, each scoped to the user of 工作专班: several departments on one matter, its members, progress log and close."""

from __future__ import annotations

from django.db.models import QuerySet

from qinqing.accounts.models import Role, User
from qinqing.fieldwork import common
from qinqing.fieldwork.models import (
    TaskForce,
)
from qinqing.organisation.models import within


def task_forces_visible_to(user: User) -> QuerySet[TaskForce]:
    if common.is_office(user):
        return TaskForce.objects.filter(within(common.region_of(user), "region"))
    if user.role in (Role.HANDLER, Role.DEPT_HEAD) and user.department_id:
        return TaskForce.objects.filter(members__department=user.department_id)
    return TaskForce.objects.none()
