"""Reads of the security audit log: the audit administrator reads every record; nobody else any."""

import datetime as dt

from django.db.models import QuerySet

from qinqing.accounts.models import Role, User
from qinqing.audit.models import AuditRecord


def records_visible_to(
    user: User,
    *,
    day: dt.date | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    action: str = "",
    actor: str = "",
    target: str = "",
) -> QuerySet[AuditRecord]:
    if not user.is_authenticated or user.role != Role.AUDITOR:
        return AuditRecord.objects.none()
    qs = AuditRecord.objects.select_related("actor")
    if day is not None:
        qs = qs.filter(at__date=day)
    if start is not None:
        qs = qs.filter(at__date__gte=start)
    if end is not None:
        qs = qs.filter(at__date__lte=end)
    if action:
        qs = qs.filter(action=action)
    if actor:
        qs = qs.filter(username=actor)
    if target:
        qs = qs.filter(target__icontains=target)
    return qs
