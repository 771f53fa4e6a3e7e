"""Human-readable numbers such as QQ202611220001: a per-day counter per prefix, gap-free within a committed day."""

import datetime as dt

from django.db import connection, transaction

from qinqing.core.models import DailySequence

_TABLE = DailySequence._meta.db_table
# The table name is ours, not input; values go through parameters.
_BUMP = f"UPDATE {_TABLE} SET value = value + 1 WHERE prefix = %s AND day = %s RETURNING value"  # noqa: S608


def format_number(prefix: str, day: dt.date, value: int) -> str:
    return f"{prefix}{day:%Y%m%d}{value:04d}"


def next_number(prefix: str, day: dt.date) -> str:
    """Next number of the day, e.g. QQ202611220001. Gap-free within a committed day.

    One UPDATE ... RETURNING (PostgreSQL, SQLite >= 3.35) both bumps the counter and takes the row lock that
    serialises concurrent callers; callers run it late in their transaction so the lock is held briefly.
    """
    with transaction.atomic(savepoint=False), connection.cursor() as cur:
        cur.execute(_BUMP, [prefix, day])
        row = cur.fetchone()
        if row is None:
            # First number of the day: create the row, tolerating a concurrent creator.
            _, created = DailySequence.objects.get_or_create(prefix=prefix, day=day, defaults={"value": 1})
            if created:
                value = 1
            else:
                cur.execute(_BUMP, [prefix, day])
                value = cur.fetchone()[0]
        else:
            value = row[0]
    return format_number(prefix, day, value)
