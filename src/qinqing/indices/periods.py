"""Periods of observations: ``2025`` (a year), ``2025H1`` (a half), ``2025Q3`` (a quarter), ``2025M03`` (a month).

An indicator's frequency says which kind its observations use. The tree page is read for a year: a leaf
observed more often than yearly counts with its latest observation inside that year (the year-end value when it
exists), so every framework rolls up per year.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from qinqing.core.errors import InvalidInput

_PERIOD = re.compile(r"^(\d{4})(?:(H)([12])|(Q)([1-4])|(M)(0[1-9]|1[0-2]))?$")
KIND_OF = {"": "year", "H": "half", "Q": "quarter", "M": "month"}


@lru_cache(maxsize=4096)
def parse(text: str) -> tuple[int, str, int]:
    """(year, kind, number) of a period's text; InvalidInput in Chinese otherwise."""
    m = _PERIOD.match((text or "").strip())
    if not m or not 1990 <= int(m.group(1)) <= 2100:
        raise InvalidInput(
            "期间格式不正确", {"period": ["期间应为年度 2025、半年 2025H1、季度 2025Q3 或月度 2025M03"]}
        )
    year = int(m.group(1))
    for letter_at, number_at in ((2, 3), (4, 5), (6, 7)):
        if m.group(letter_at):
            return year, KIND_OF[m.group(letter_at)], int(m.group(number_at))
    return year, "year", 0


def normalise(text: str) -> str:
    parse(text)
    return text.strip()


def year_of(text: str) -> int:
    return parse(text)[0]


def check_frequency(text: str, frequency: str) -> None:
    _, kind, _ = parse(text)
    if kind != frequency:
        labels = {
            "year": "年度（如 2025）",
            "half": "半年（如 2025H1）",
            "quarter": "季度（如 2025Q3）",
            "month": "月度（如 2025M03）",
        }
        raise InvalidInput(
            "期间与指标频次不符", {"period": [f"该指标按{labels.get(frequency, frequency)}填报"]}
        )


def bounds(text: str) -> tuple[dt.date, dt.date]:
    """First and last day of the period."""
    year, kind, n = parse(text)
    if kind == "year":
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    first_month, months = {"half": (6 * (n - 1) + 1, 6), "quarter": (3 * (n - 1) + 1, 3), "month": (n, 1)}[
        kind
    ]
    start = dt.date(year, first_month, 1)
    end_month = first_month + months
    end = dt.date(year + (end_month > 12), (end_month - 1) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def in_year(text: str, year: int) -> bool:
    return year_of(text) == year


@lru_cache(maxsize=4096)
def sort_key(text: str) -> tuple[int, int]:
    """Later periods sort after earlier ones; of two ending together (2025 and 2025Q4) the shorter one last."""
    start, end = bounds(text)
    return (end.toordinal(), -start.toordinal())
