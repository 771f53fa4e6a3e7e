"""红黑榜: the best and the worst departments of a month by the evaluation, frozen when published."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from qinqing.accounts.models import Role, User
from qinqing.audit import services as audit
from qinqing.audit.models import AuditRecord
from qinqing.core.errors import InvalidInput, NotPermitted
from qinqing.supervision.evaluation import Grade, evaluate, period_bounds
from qinqing.supervision.models import HonourList

SIZE = 3
MIN_RECEIVED = 3  # a department with fewer appeals in the month is listed but not ranked onto either list


def _row(r) -> dict:
    return {
        "department": r.department.name,
        "department_id": r.department.pk,
        "grade": r.grade,
        "score": r.score,
        "received": r.received,
        "close_on_time_rate": r.rates["on_time"],
        "satisfaction_rate": r.rates["satisfaction"],
        "overdue": r.overdue,
        "escalations": r.escalations,
    }


def preview(region, month: dt.date) -> dict:
    start, end = period_bounds("month", month)
    rows = evaluate(region, start, end)
    ranked = [r for r in rows if r.received >= MIN_RECEIVED and r.score is not None]
    red = [r for r in ranked if r.grade != Grade.SLOW][:SIZE]
    rest = [r for r in reversed(ranked) if r not in red]
    black = sorted(rest, key=lambda r: (r.grade != Grade.SLOW, r.score))[:SIZE]
    return {
        "month": start,
        "red": [_row(r) for r in red],
        "black": [_row(r) for r in black],
        "all": [_row(r) for r in rows],
    }


def publish(*, by: User, month: dt.date) -> HonourList:
    if by.role != Role.DISPATCHER or (region := by.region) is None:
        raise NotPermitted("只有营商办调度员可以发布红黑榜")
    data = preview(region, month)
    try:
        with transaction.atomic():
            published = HonourList.objects.create(
                region=region,
                month=data["month"],
                red=data["red"],
                black=data["black"],
                all_rows=data["all"],
                published_by=by,
            )
            # Publishing names departments in public: a security audit record (等保 2.0 安全审计).
            audit.record(
                AuditRecord.Action.HONOURS_PUBLISHED,
                user=by,
                target=f"红黑榜#{published.pk}",
                region=region.name,
                month=f"{published.month:%Y-%m}",
                red=[r["department"] for r in data["red"]],
                black=[r["department"] for r in data["black"]],
            )
            return published
    except IntegrityError as exc:
        raise InvalidInput(f"{data['month']:%Y年%m月}的红黑榜已发布，发布后不可更改") from exc
