"""Working days of a project, counted with the core calendar (``core.workcalendar``: chinesecalendar and the local
overrides). Pure functions of dates: the stored figures and the pages all count through here.

``span(start, end)``: the working days of (start, end], the first day not counted, the last counted (see
``projects.models``). ``union(spans)``: the working days covered by at least one of several such spans.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from qinqing.core import workcalendar

ONE = dt.timedelta(days=1)


def span(start: dt.date | None, end: dt.date | None) -> int | None:
    """Working days from `start` to `end`, `start` not counted and `end` counted; None without both."""
    if start is None or end is None:
        return None
    return workcalendar.working_days_between(start + ONE, end + ONE)


def union(spans: Iterable[tuple[dt.date, dt.date]]) -> int:
    """Working days inside at least one (start, end] span: parallel approvals counted once."""
    merged: list[list[dt.date]] = []
    for start, end in sorted((s, e) for s, e in spans if e >= s):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return sum(workcalendar.working_days_between(s + ONE, e + ONE) for s, e in merged)


def slippage(planned: dt.date | None, actual: dt.date | None, today: dt.date) -> int | None:
    """Working days a stage is late: actual (or, not reached yet, today) after planned; 0 when on time or early,
    None without a plan."""
    if planned is None:
        return None
    end = actual or today
    if end <= planned:
        return 0
    return span(planned, end)


class Days:
    """Many spans over one calendar: each day's working-day status is read once (one calendar lookup per day of
    the range, not per day per span), then every span is a subtraction of two prefix counts. For lists and
    totals over hundreds of projects. ``Days().span(a, b) == span(a, b)``."""

    def __init__(self) -> None:
        self._lo: dt.date | None = None
        self._hi: dt.date | None = None
        self._prefix: list[int] = [0]  # _prefix[i]: working days in [_lo, _lo + i)

    def _cover(self, first: dt.date, last: dt.date) -> None:
        if self._lo is not None and self._hi is not None and self._lo <= first and last <= self._hi:
            return
        lo = first if self._lo is None else min(first, self._lo)
        hi = last if self._hi is None else max(last, self._hi)
        # Widen into the past a little so that the spans of a list rarely need a second pass
        lo = lo - dt.timedelta(days=60)  # (not later: the calendar of next year may not be published yet)
        prefix = [0]
        for workday in workcalendar.workday_flags(lo, hi):
            prefix.append(prefix[-1] + workday)
        self._lo, self._hi, self._prefix = lo, hi, prefix

    def prepare(self, days: Iterable[dt.date | None]) -> Days:
        """Cover every span between the given dates at once (one pass over the calendar for a whole list)."""
        known = [d for d in days if d is not None]
        if known:
            self._cover(min(known), max(known) + ONE + ONE)
        return self

    def span(self, start: dt.date | None, end: dt.date | None) -> int | None:
        if start is None or end is None:
            return None
        if end <= start:
            return 0
        self._cover(start + ONE, end + ONE)
        assert self._lo is not None
        return self._prefix[(end + ONE - self._lo).days] - self._prefix[(start + ONE - self._lo).days]
