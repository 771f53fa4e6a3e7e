"""Working days between project dates across National Day and the Spring Festival (chinesecalendar's 调休
included): the first day is not counted, the last is."""

import datetime as dt

import pytest

from qinqing.projects import timing

D = dt.date


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2025, 9, 26), D(2025, 10, 10), 5),  # 国庆中秋 2025: Oct 1–8 off, Sun Sep 28 a workday
        (D(2025, 9, 30), D(2025, 10, 9), 1),
        (D(2025, 10, 8), D(2025, 10, 11), 3),  # Thu 9, Fri 10 and the make-up Saturday 11
        (D(2026, 2, 13), D(2026, 2, 27), 5),  # 春节 2026: Feb 15–23 off, Sat Feb 14 a workday
        (D(2026, 2, 14), D(2026, 2, 24), 1),
        (D(2026, 9, 30), D(2026, 10, 8), 1),  # 国庆 2026: Oct 1–7 off; Thu Oct 8 counts
        (D(2026, 11, 16), D(2026, 11, 16), 0),  # 即办: approved the day it was accepted
        (D(2026, 11, 16), D(2026, 11, 17), 1),
    ],
)
def test_span_counts_chinese_working_days(db, start, end, expected):
    assert timing.span(start, end) == expected
    assert timing.Days().span(start, end) == expected


def test_days_agrees_with_span_over_a_long_range(db):
    days = timing.Days()
    start = D(2025, 1, 1)
    for offset in range(0, 700, 37):
        end = start + dt.timedelta(days=offset)
        assert days.span(start, end) == timing.span(start, end)
        assert days.span(end, end + dt.timedelta(days=45)) == timing.span(end, end + dt.timedelta(days=45))


def test_parallel_approvals_are_counted_once(db):
    a = (D(2026, 3, 2), D(2026, 3, 13))  # 9 working days (Mar 3..13)
    b = (D(2026, 3, 9), D(2026, 3, 20))  # overlaps: the union is Mar 3..20, 14 working days
    assert timing.span(*a) == 9
    assert timing.union([a, b]) == 14
    assert timing.union([a, (D(2026, 4, 1), D(2026, 4, 3))]) == 9 + 2


def test_slippage(db):
    assert timing.slippage(None, D(2026, 3, 2), D(2026, 3, 20)) is None
    assert timing.slippage(D(2026, 3, 2), D(2026, 3, 1), D(2026, 3, 20)) == 0
    assert timing.slippage(D(2026, 3, 2), D(2026, 3, 9), D(2026, 3, 20)) == 5
    assert timing.slippage(D(2026, 3, 2), None, D(2026, 3, 9)) == 5  # not reached: late until today
