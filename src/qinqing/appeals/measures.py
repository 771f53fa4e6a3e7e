"""The one set of definitions of the measures (DESIGN.md): 签收及时率, 按期办结率, 解决率, 满意率, 平均办理时长,
退回率, 延期率, 重办率.

Each measure is a numerator and a denominator, each a filter (``Q``) over the appeals for a period, so every
page that shows a figure (驾驶舱, 部门考评, 每周督办, their Excel files) counts the same appeals, and the appeal
list can show exactly the appeals behind any figure (``?measure=on_time&part=den&start=…&end=…``).

A side is a union of disjoint *parts*; each part is the appeals that satisfy a condition, counted on the day of
one moment (replied, closed, assigned, deadline): the dashboard's summaries store the parts by that day
(``dashboard.rollup``) and add them up, the other pages count them live; both give the same number.

"期内" is a period of whole local days. A deadline counts as passed (到期) once its day is over, so the figures of
a day do not change during that day as deadlines pass hour by hour.
All measures count the appeals a department leads (主办); a region's figure is the sum of its departments'.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from qinqing.appeals.models import AppealEvent, Satisfaction, Status
from qinqing.core import workcalendar
from qinqing.core.numbers import rate

NUM, DEN = "num", "den"
SIDES = {NUM: "分子", DEN: "分母"}
NOT_COUNTED = (Status.WITHDRAWN, Status.MERGED, Status.REJECTED)


@dataclass(frozen=True)
class Period:
    """Whole local days [start, end], judged as of ``now`` (deadlines whose day ended before today are due)."""

    start: dt.date
    end: dt.date
    now: dt.datetime = field(default_factory=timezone.now)

    @property
    def since(self) -> dt.datetime:
        return workcalendar.day_span(self.start, self.end)[0]

    @property
    def until(self) -> dt.datetime:
        return workcalendar.day_span(self.start, self.end)[1]

    @property
    def today(self) -> dt.date:
        return workcalendar.local_date(self.now)

    @property
    def due_until(self) -> dt.datetime:
        """Deadlines before this moment are due: the end of the period, or the start of today if earlier."""
        return min(self.until, workcalendar.day_span(self.today, self.today)[0])

    @property
    def finished(self) -> bool:
        return self.end < self.today

    @property
    def label(self) -> str:
        s, e = self.start, self.end
        nxt = e + dt.timedelta(days=1)
        if s.day == 1 and nxt.day == 1:
            if (nxt.year - s.year) * 12 + nxt.month - s.month == 1:
                return f"{s:%Y年%m月}".replace("年0", "年")
            if s.month == 1 and nxt.year == s.year + 1 and nxt.month == 1:
                return f"{s.year}年"
            if (nxt.year - s.year) * 12 + nxt.month - s.month == 3 and s.month % 3 == 1:
                return f"{s.year}年第{(s.month - 1) // 3 + 1}季度"
        if s == e:
            return f"{s:%Y-%m-%d}"
        return f"{s:%Y-%m-%d}至{e:%Y-%m-%d}"


@dataclass(frozen=True)
class Part:
    """Appeals meeting ``where`` whose ``moment`` falls in the period (``due``: whose moment's day is over)."""

    moment: str
    where: Q
    due: bool = False
    passed: str = (
        ""  # and whose ``passed`` deadline's day is over (not in the summaries: it changes by itself)
    )

    def q(self, p: Period) -> Q:
        upper = p.due_until if self.due else p.until
        q = self.where & Q(**{f"{self.moment}__gte": p.since, f"{self.moment}__lt": upper})
        if self.passed:
            q &= Q(**{f"{self.passed}__lt": workcalendar.day_span(p.today, p.today)[0]})
        return q


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    definition: str  # the 指标口径 shown on the pages
    num_label: str  # what the numerator's appeals are, for the list's banner
    den_label: str
    num: tuple[Part, ...] = ()
    den: tuple[Part, ...] = ()
    # Measures whose counting is not a plain filter over the appeal (退回: an event of the department).
    custom: Callable[[str, Period, int | None], Q] | None = None
    average: bool = False  # 平均办理时长: the denominator's appeals only, the figure is computed over them

    @property
    def summarised(self) -> bool:
        """Counted in the dashboard's daily summaries (region-wide, by the day of each part's moment)."""
        return self.custom is None and not any(part.passed for part in (*self.num, *self.den))

    def parts(self, side: str) -> tuple[Part, ...]:
        return self.num if side == NUM else self.den

    def q(self, side: str, p: Period, department: int | None = None) -> Q:
        """The appeals of ``side`` (NUM or DEN) in the period, of one lead department or of every one."""
        if self.custom is not None:
            return self.custom(side, p, department)
        q = Q(pk__in=[])
        for part in self.parts(side):
            q |= part.q(p)
        scope = Q(lead_department_id=department) if department else Q(lead_department__isnull=False)
        return scope & q

    def side_label(self, side: str) -> str:
        return self.num_label if side == NUM else self.den_label


RATED = Q(auto_closed=False) & ~Q(satisfaction="") & ~Q(rating_contest__state="upheld")
ON_TIME = Q(handle_deadline__isnull=True) | Q(replied_at__lte=F("handle_deadline"))
REPLIED = Q(replied_at__isnull=False)


def _returned(p: Period, department: int | None) -> Q:
    events = AppealEvent.objects.filter(
        appeal=OuterRef("pk"),
        kind=AppealEvent.Kind.RETURNED,
        created_at__gte=p.since,
        created_at__lt=p.until,
    )
    events = (
        events.filter(actor_department_id=department)
        if department
        else events.filter(actor_department__isnull=False)
    )
    return Q(Exists(events))


def _return_rate(side: str, p: Period, department: int | None) -> Q:
    returned = _returned(p, department)
    if side == NUM:
        return returned
    received = Q(assigned_at__gte=p.since, assigned_at__lt=p.until) & (
        Q(lead_department_id=department) if department else Q(lead_department__isnull=False)
    )
    return received | returned


MEASURES: dict[str, Measure] = {
    m.key: m
    for m in [
        Measure(
            "sign",
            "签收及时率",
            "期内分派的诉求中，在签收时限内签收的件数 ÷ 已签收或签收时限已过的件数",
            "期内分派、在签收时限内签收的诉求",
            "期内分派、已签收或签收时限已过的诉求",
            num=(
                Part(
                    "assigned_at",
                    Q(signed_at__gte=F("assigned_at"), signed_at__lte=F("sign_deadline"))
                    | Q(signed_at__gte=F("assigned_at"), sign_deadline__isnull=True),
                ),
            ),
            den=(
                Part("assigned_at", Q(signed_at__gte=F("assigned_at"))),
                Part(
                    "assigned_at",
                    (Q(signed_at__isnull=True) | Q(signed_at__lt=F("assigned_at")))
                    & ~Q(status__in=NOT_COUNTED),
                    passed="sign_deadline",
                ),
            ),
        ),
        Measure(
            "on_time",
            "按期办结率",
            "期内答复的诉求中在办理时限（含批准的延期）内答复的件数 ÷（期内答复件数 + 办理时限在期内届满仍未答复的件数）",
            "期内答复、在办理时限内答复的诉求",
            "期内答复或办理时限在期内届满仍未答复的诉求",
            num=(Part("replied_at", REPLIED & ON_TIME),),
            den=(
                Part("replied_at", REPLIED),
                Part("handle_deadline", Q(replied_at__isnull=True) & ~Q(status__in=NOT_COUNTED), due=True),
            ),
        ),
        Measure(
            "resolution",
            "解决率",
            "期内评价的诉求中企业认为问题已解决的件数 ÷ 期内评价件数（不含超期未评价自动办结，不含申诉成立的评价）",
            "期内评价、企业认为问题已解决的诉求",
            "期内评价的诉求",
            num=(Part("closed_at", RATED & Q(resolved=True)),),
            den=(Part("closed_at", RATED),),
        ),
        Measure(
            "satisfaction",
            "满意率",
            "期内评价为“满意”或“基本满意”的件数 ÷ 期内评价件数（口径同解决率）",
            "期内评价为满意或基本满意的诉求",
            "期内评价的诉求",
            num=(
                Part("closed_at", RATED & Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASIC])),
            ),
            den=(Part("closed_at", RATED),),
        ),
        Measure(
            "handle_days",
            "平均办理时长",
            "期内答复的诉求从分派到答复经过的工作日数的平均值",
            "期内答复的诉求",
            "期内答复的诉求",
            num=(Part("replied_at", REPLIED),),
            den=(Part("replied_at", REPLIED),),
            average=True,
        ),
        Measure(
            "return",
            "退回率",
            "期内被本单位退回的诉求件数 ÷ 期内分派给本单位或被本单位退回的诉求件数",
            "期内被退回的诉求",
            "期内分派或被退回的诉求",
            custom=_return_rate,
        ),
        Measure(
            "extension",
            "延期率",
            "期内分派的诉求中申请过延期并获批的件数 ÷ 期内分派件数",
            "期内分派、获批延期的诉求",
            "期内分派的诉求",
            num=(Part("assigned_at", Q(extension_count__gt=0)),),
            den=(Part("assigned_at", Q()),),
        ),
        Measure(
            "reopen",
            "重办率",
            "期内答复的诉求中因企业不满意而重办过的件数 ÷ 期内答复件数",
            "期内答复、重办过的诉求",
            "期内答复的诉求",
            num=(Part("replied_at", REPLIED & Q(reopen_count__gt=0)),),
            den=(Part("replied_at", REPLIED),),
        ),
    ]
}
# The three figures every report shows side by side.
HEADLINE = ("on_time", "resolution", "satisfaction")


def get(key: str) -> Measure | None:
    return MEASURES.get(key)


def definitions() -> list[tuple[str, str]]:
    return [(m.label, m.definition) for m in MEASURES.values()]


def display(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def figure(key: str, num: int, den: int) -> dict:
    m = MEASURES[key]
    value = rate(num, den)
    return {"key": key, "label": m.label, "num": num, "den": den, "rate": value, "display": display(value)}


def count(
    appeals: QuerySet, p: Period, keys: list[str] | tuple[str, ...], department: int | None = None
) -> dict[str, list[int]]:
    """{key: [numerator, denominator]} of the measures over ``appeals``, live, in one query."""
    aggregates = {
        f"{key}_{side}": Count("id", filter=MEASURES[key].q(side, p, department))
        for key in keys
        for side in (NUM, DEN)
    }
    values = appeals.aggregate(**aggregates)
    return {key: [values[f"{key}_{NUM}"] or 0, values[f"{key}_{DEN}"] or 0] for key in keys}


def drill_url(
    key: str,
    side: str,
    start: dt.date,
    end: dt.date,
    *,
    lead: int | None = None,
    region: int | None = None,
) -> str:
    """The appeal list showing exactly the appeals of one side of a figure."""
    from urllib.parse import urlencode

    from django.urls import reverse

    query = {
        "tab": "all",
        "measure": key,
        "part": side,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
    }
    if lead:
        query["lead"] = str(lead)
    if region:
        query["region"] = str(region)
    return f"{reverse('appeal_list')}?{urlencode(query)}"
