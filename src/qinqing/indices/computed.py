"""Leaves computed from qinqing's own data instead of typed in: the registry of computed sources.

Each source computes one value for a region and a date range, through the definitions the department evaluation
uses (``supervision.evaluation.evaluate``: the same counts its page shows, summed over the region's departments),
so the index, the evaluation and the dashboard agree. ``indices.services.compute_observations`` writes the values
as observations marked 系统计算 with the formula text below; the indicator page shows the formula.

惠企政策兑现用时 is the median of the working days from eligibility to payment of the redemption cases paid in
the period (``policies.redemption_selectors.paid_working_days``, the count the 兑现统计 page shows).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from qinqing.organisation.models import Region
from qinqing.policies import redemption_selectors
from qinqing.supervision import evaluation


@dataclass(frozen=True)
class Source:
    code: str
    label: str
    formula: str
    compute: Callable[[Region, dt.date, dt.date], Decimal | None]


def _totals(region: Region, start: dt.date, end: dt.date) -> dict[str, int]:
    """The numerators and denominators of the evaluation's measures (``appeals.measures``), summed over the
    region's departments."""
    rows = evaluation.evaluate(region, start, end)
    # 平均办理时长 as the evaluation's own column: working days summed over the replies, divided by them.
    totals = {
        "handle_days_total": sum(r.handle_days_total for r in rows),
        "replied": sum(r.replied for r in rows),
    }
    for key in ("on_time", "satisfaction", "resolution"):
        totals[f"{key}_num"] = sum(r.num(key) for r in rows)
        totals[f"{key}_den"] = sum(r.den(key) for r in rows)
    return totals


def _pct(num: int, den: int) -> Decimal | None:
    return (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.01")) if den else None


def close_on_time_rate(region: Region, start: dt.date, end: dt.date) -> Decimal | None:
    t = _totals(region, start, end)
    return _pct(t["on_time_num"], t["on_time_den"])


def satisfaction_rate(region: Region, start: dt.date, end: dt.date) -> Decimal | None:
    t = _totals(region, start, end)
    return _pct(t["satisfaction_num"], t["satisfaction_den"])


def resolution_rate(region: Region, start: dt.date, end: dt.date) -> Decimal | None:
    t = _totals(region, start, end)
    return _pct(t["resolution_num"], t["resolution_den"])


def avg_handle_days(region: Region, start: dt.date, end: dt.date) -> Decimal | None:
    t = _totals(region, start, end)
    if not t["replied"]:
        return None
    return (Decimal(t["handle_days_total"]) / Decimal(t["replied"])).quantize(Decimal("0.01"))


def redemption_days(region: Region, start: dt.date, end: dt.date) -> Decimal | None:
    days = redemption_selectors.paid_working_days(region, start, end)
    if not days:
        return None
    return Decimal(str(statistics.median(days))).quantize(Decimal("0.01"))


def _definition(name: str) -> str:
    return dict(evaluation.DEFINITIONS)[name]


SOURCES: dict[str, Source] = {
    s.code: s
    for s in (
        Source(
            "appeals.close_on_time_rate",
            "诉求按期办结率",
            f"按期办结率（%）：{_definition('按期办结率')}；本区划及下辖区划全部主办单位合计",
            close_on_time_rate,
        ),
        Source(
            "appeals.satisfaction_rate",
            "诉求满意率",
            f"满意率（%）：{_definition('满意率')}；本区划及下辖区划全部主办单位合计",
            satisfaction_rate,
        ),
        Source(
            "appeals.resolution_rate",
            "诉求解决率",
            f"解决率（%）：{_definition('解决率')}；本区划及下辖区划全部主办单位合计",
            resolution_rate,
        ),
        Source(
            "appeals.avg_handle_days",
            "诉求平均办理时长",
            f"平均办理时长（工作日）：{_definition('平均办理时长')}；按答复件数加权",
            avg_handle_days,
        ),
        Source(
            "policies.redemption_days",
            "惠企政策兑现用时",
            "兑现用时（工作日）：期内拨付的政策兑现案件，自企业符合条件之日至拨付之日的工作日数的中位数；"
            "本区划及下辖区划企业合计",
            redemption_days,
        ),
    )
}
