"""回访 in the department evaluation: three columns (``evaluation.register_column``), not in the composite score.

Each counts the appeals a department leads (主办), like the evaluation's own measures:
- 回访率: of the appeals closed (办结) in the period, the share revisited (a 回访 recorded, reached or not);
- 回访满意率: of the revisits in the period that reached the enterprise, those it called 满意 or 基本满意;
- 回访解决率: of the same revisits, those where the enterprise said the problem is solved.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q

from qinqing.appeals.models import Appeal, Revisit, Satisfaction, Status
from qinqing.core import workcalendar
from qinqing.core.numbers import percent
from qinqing.organisation.models import Region, within
from qinqing.supervision.evaluation import ExtraColumn

DONE = Revisit.State.DONE


def _revisit_rate(region: Region, start: dt.date, end: dt.date) -> dict[int, object]:
    since, until = workcalendar.day_span(start, end)
    rows = (
        Appeal.objects.filter(
            within(region, "region"),
            lead_department__isnull=False,
            status=Status.CLOSED,
            closed_at__gte=since,
            closed_at__lt=until,
        )
        .annotate(revisited=Exists(Revisit.objects.filter(appeal=OuterRef("pk"), state=DONE)))
        .values("lead_department_id")
        .annotate(n=Count("id"), done=Count("id", filter=Q(revisited=True)))
        .order_by()
    )
    return {r["lead_department_id"]: percent(r["done"], r["n"]) for r in rows}


def _reached(region: Region, start: dt.date, end: dt.date):
    since, until = workcalendar.day_span(start, end)
    return (
        Revisit.objects.filter(
            within(region, "appeal__region"),
            appeal__lead_department__isnull=False,
            state=DONE,
            reached=True,
            done_at__gte=since,
            done_at__lt=until,
        )
        .values("appeal__lead_department_id")
        .annotate(
            n=Count("id"),
            satisfied=Count("id", filter=Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASIC])),
            resolved=Count("id", filter=Q(resolved=True)),
        )
        .order_by()
    )


def _satisfaction(region: Region, start: dt.date, end: dt.date) -> dict[int, object]:
    return {
        r["appeal__lead_department_id"]: percent(r["satisfied"], r["n"]) for r in _reached(region, start, end)
    }


def _resolution(region: Region, start: dt.date, end: dt.date) -> dict[int, object]:
    return {
        r["appeal__lead_department_id"]: percent(r["resolved"], r["n"]) for r in _reached(region, start, end)
    }


COLUMNS = [
    ExtraColumn(
        key="revisit_rate",
        label="回访率（%）",
        values=_revisit_rate,
        note="期内办结的诉求中已回访（联系上或未联系上均计）的件数 ÷ 期内办结件数；回访后重办的不再计入办结。不计入综合得分。",
    ),
    ExtraColumn(
        key="revisit_satisfaction",
        label="回访满意率（%）",
        values=_satisfaction,
        note="期内联系上企业的回访中，企业表示“满意”或“基本满意”的件数 ÷ 联系上的回访件数。不计入综合得分。",
    ),
    ExtraColumn(
        key="revisit_resolution",
        label="回访解决率（%）",
        values=_resolution,
        note="期内联系上企业的回访中，企业表示问题已解决的件数 ÷ 联系上的回访件数；未解决的诉求已退回重办。不计入综合得分。",
    ),
]
