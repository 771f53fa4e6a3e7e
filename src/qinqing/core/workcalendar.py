"""Chinese working days.

The national calendar (weekends, official holidays, 调休 make-up workdays) comes from the
`chinesecalendar` package, which tracks the State Council's yearly notice. Local overrides from the
CalendarOverride table win over it. For a year the package does not know yet, weekends are the only
days off until the package is upgraded or the office enters the year in the override table.
"""

import datetime as dt
import logging
from functools import lru_cache

import chinese_calendar
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

log = logging.getLogger(__name__)

# Deadlines end at the last moment of their working day, local time.
END_OF_DAY = dt.time(23, 59, 59)


# Overrides are few and change rarely: each process keeps them in its local cache for a few minutes so
# that a working-day computation is not a query. Saving an override clears this process's copy at once.
_OVERRIDES_KEY = "qinqing:calendar-overrides"
_OVERRIDES_SECONDS = 300


def _load_overrides() -> dict[dt.date, bool]:
    from qinqing.core.models import CalendarOverride

    return dict(CalendarOverride.objects.values_list("day", "is_workday"))


def overrides() -> dict[dt.date, bool]:
    return cache.get_or_set(_OVERRIDES_KEY, _load_overrides, _OVERRIDES_SECONDS) or {}


def invalidate_overrides() -> None:
    cache.delete(_OVERRIDES_KEY)


@lru_cache(maxsize=8192)
def _national_workday(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        log.warning("chinesecalendar has no data for %s; counting weekends only", day.year)
        return day.weekday() < 5


def is_workday(day: dt.date) -> bool:
    local = overrides().get(day)
    if local is not None:
        return local
    return _national_workday(day)


def workday_flags(start: dt.date, end: dt.date) -> list[bool]:
    """``is_workday`` for each day from `start` to `end` inclusive, the overrides read once: for counting many spans
    over one range (projects.timing.Days) without a cache lookup per day."""
    local = overrides()
    out = []
    day = start
    while day <= end:
        found = local.get(day)
        out.append(found if found is not None else _national_workday(day))
        day += dt.timedelta(days=1)
    return out


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The `days`-th working day after `start` (start itself not counted).

    add_working_days(d, 0) is `start` if it is a working day, else the next working day, so that a
    zero-day limit still lands on a day someone is at work.
    """
    if days < 0:
        raise ValueError("days must be >= 0")
    day = start
    if days == 0:
        while not is_workday(day):
            day += dt.timedelta(days=1)
        return day
    remaining = days
    while remaining:
        day += dt.timedelta(days=1)
        if is_workday(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in the half-open range [start, end)."""
    if end <= start:
        return 0
    count = 0
    day = start
    while day < end:
        if is_workday(day):
            count += 1
        day += dt.timedelta(days=1)
    return count


def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, END_OF_DAY))


def day_span(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The local moments [start 00:00, the day after end 00:00): the whole days from start to end inclusive."""
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(start, dt.time.min, tz), dt.datetime.combine(
        end + dt.timedelta(days=1), dt.time.min, tz
    )


def deadline_after(moment: dt.datetime, days: int) -> dt.datetime:
    """Deadline for a step of `days` working days that starts at `moment`: the end of the
    `days`-th working day after the day it starts."""
    return end_of_day(add_working_days(local_date(moment), days))


def yellow_from(deadline: dt.datetime, total_days: int) -> dt.datetime:
    """The first moment a step with this deadline shows yellow.

    Yellow when at most QINQING_YELLOW_DAYS working days (the deadline day included) are left, or at
    most QINQING_YELLOW_SHARE_PERCENT of the step's working days. Stored beside the deadline so lists can
    filter by light in the database; always recomputed whenever the deadline moves.
    """
    share_days = (total_days * settings.QINQING_YELLOW_SHARE_PERCENT) // 100
    days_left = max(settings.QINQING_YELLOW_DAYS, share_days, 1)
    # Walk back from the deadline day to the start of the `days_left`-th working day before it.
    day = local_date(deadline)
    counted = 1 if is_workday(day) else 0
    while counted < days_left:
        day -= dt.timedelta(days=1)
        if is_workday(day):
            counted += 1
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
