"""Reading query-string parameters that pages accept loosely (a bad value falls back, it is not an error)."""

import datetime as dt


def date_or(value: str | None, default: dt.date) -> dt.date:
    """An ISO date from a query string, or ``default`` when it is missing or malformed."""
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default
