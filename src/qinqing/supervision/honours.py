"""红黑榜: the best and the worst departments of a month by the evaluation, frozen when published."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.audit import services as audit
from qinqing.audit.models import AuditRecord
from qinqing.core.errors import InvalidInput, NotPermitted
from qinqing.supervision.evaluation import Grade, evaluate, period_bounds
from qinqing.supervision.models import HonourList

SIZE = 3


def _row(r) -> dict:
    return {
        "department": r.department.name,
        "department_id": r.department.pk,
        "grade": r.grade,
        "score": r.score,
        "received": r.received,
        "rank": r.rank,
        "unranked": r.unranked_reason,
        "close_on_time_rate": r.rates["on_time"],
        "satisfaction_rate": r.rates["satisfaction"],
        "overdue": r.overdue,
        "escalations": r.escalations,
    }


def preview(region, month: dt.date, now: dt.datetime | None = None) -> dict:
    """The lists a month would publish: ranked departments only (the evaluation's rule: the month has ended,
    at least QINQING_RANKING_MIN_APPEALS appeals received, something to judge); none while the month runs."""
    now = now or timezone.now()
    start, end = period_bounds("month", month)
    rows = evaluate(region, start, end, now=now)
    finished = end < timezone.localtime(now).date()
    ranked = [r for r in rows if r.rank is not None] if finished else []
    red = [r for r in ranked if r.grade != Grade.SLOW][:SIZE]
    rest = [r for r in reversed(ranked) if r not in red]
    black = sorted(rest, key=lambda r: (r.grade != Grade.SLOW, r.score))[:SIZE]
    return {
        "month": start,
        "finished": finished,
        "minimum": settings.QINQING_RANKING_MIN_APPEALS,
        "red": [_row(r) for r in red],
        "black": [_row(r) for r in black],
        "all": [_row(r) for r in rows],
    }


def publish(*, by: User, month: dt.date) -> HonourList:
    if by.role != Role.DISPATCHER or (region := by.region) is None:
        raise NotPermitted("只有营商办调度员可以发布红黑榜")
    data = preview(region, month)
    if not data["finished"]:
        raise InvalidInput(f"{data['month']:%Y年%m月}尚未结束，只能发布已结束月份的红黑榜")
    if not data["red"] and not data["black"]:
        raise InvalidInput(
            f"{data['month']:%Y年%m月}没有收件满 {data['minimum']} 件的单位，红黑榜无可发布的内容"
        )
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
