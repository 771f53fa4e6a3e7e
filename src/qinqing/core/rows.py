"""Hand-written SELECTs on hot paths, read into model instances.

``Manager.raw`` works out on every call which column feeds which field and how each value converts; ``first``
does that once per model and table alias (for the one database a process uses). For queries every request runs
(token authentication, intake), where that bookkeeping cost more than the query.
"""

from functools import cache

from django.db import connection, models


@cache
def _reader(model: type[models.Model], alias: str) -> tuple[str, list[str], list[tuple[list, object]]]:
    fields = model._meta.concrete_fields
    columns = ", ".join(f"{alias}.{connection.ops.quote_name(f.column)}" for f in fields)
    converters = []
    for f in fields:
        col = f.get_col(alias)
        converters.append((connection.ops.get_db_converters(col) + col.get_db_converters(connection), col))
    return columns, [f.attname for f in fields], converters


def columns(model: type[models.Model], alias: str) -> str:
    """Every column of `model` qualified by `alias`, in the order ``first`` reads them."""
    return _reader(model, alias)[0]


def first(
    model: type[models.Model], alias: str, sql: str, params: list, *, extra: tuple[str, ...] = ()
) -> models.Model | None:
    """The first row of `sql` as a `model` instance, or None. `sql` selects ``columns(model, alias)`` first and
    then one column per name in `extra`, which become attributes of the instance as they come from the driver."""
    _, attnames, converters = _reader(model, alias)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        row = cur.fetchone()
    if row is None:
        return None
    values = list(row[: len(attnames)])
    for i, (convs, col) in enumerate(converters):
        for convert in convs:
            values[i] = convert(values[i], col, connection)
    obj = model.from_db(connection.alias, attnames, values)
    for name, value in zip(extra, row[len(attnames) :], strict=True):
        setattr(obj, name, value)
    return obj
