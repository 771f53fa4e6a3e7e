"""Human-readable numbers such as QQ202611220001: a per-day counter per prefix, gap-free within a committed day."""

import datetime as dt
from collections.abc import Sequence

from django.db import connection, models, transaction
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery

from qinqing.core.models import DailySequence

_TABLE = DailySequence._meta.db_table
# The table name is ours, not input; values go through parameters.
_BUMP = f"UPDATE {_TABLE} SET value = value + 1 WHERE prefix = %s AND day = %s RETURNING value"  # noqa: S608
# PostgreSQL: create-or-bump in one statement; the row lock lasts until the enclosing statement commits.
_UPSERT = (
    f"INSERT INTO {_TABLE} (prefix, day, value) VALUES (%s, %s, 1) "  # noqa: S608
    f"ON CONFLICT (prefix, day) DO UPDATE SET value = {_TABLE}.value + 1 RETURNING prefix, day, value"
)
# The number from the counter part of the statement: four digits, more once a day passes 9999.
_NUMBER_FROM_SEQ = (
    "(SELECT prefix || to_char(day, 'YYYYMMDD') || lpad(value::text, greatest(4, length(value::text)), '0') "
    "FROM seq)"
)


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


def insert_numbered(
    obj: models.Model,
    *,
    prefix: str,
    day: dt.date,
    followers: Sequence[tuple[models.Model, str]] = (),
) -> None:
    """Insert the new row `obj` with the day's next number in its ``number`` field, then each unsaved
    ``(row, foreign_key_name)`` of `followers` pointing at it. All or nothing; signals fire as for ``save()``.

    On PostgreSQL this is one statement: the counter upsert, the row and its followers as data-modifying
    ``WITH`` parts whose INSERTs Django compiles from the instances (so every column and conversion is the
    model's own). One round trip instead of six, and the counter's row lock lasts microseconds instead of the
    rest of a transaction, which is what limits how many appeals a second can be numbered. Elsewhere
    (SQLite, the zero-setup default) the same rows are saved one by one in a transaction.
    """
    if connection.vendor != "postgresql":
        with transaction.atomic():
            obj.number = next_number(prefix, day)
            obj.save(force_insert=True)
            for row, name in followers:
                setattr(row, name, obj)
                row.save(force_insert=True)
        return

    rows = [obj, *(row for row, _ in followers)]
    for row in rows:
        pre_save.send(sender=type(row), instance=row, raw=False, using=connection.alias, update_fields=None)
    # The SQL below is assembled only from our own fragments and Django's compiled INSERTs; values are parameters.
    obj.number = RawSQL(_NUMBER_FROM_SEQ, [])  # noqa: S611
    for row, name in followers:
        setattr(row, row._meta.get_field(name).attname, RawSQL("(SELECT id FROM r0)", []))  # noqa: S611
    parts, params = [f"seq AS ({_UPSERT})"], [prefix, day]
    for i, row in enumerate(rows):
        sql, row_params = _insert_sql(row)
        parts.append(f"r{i} AS ({sql} RETURNING id)")
        params.extend(row_params)
    ids = ", ".join(f"(SELECT id FROM r{i})" for i in range(len(rows)))  # noqa: S608
    with connection.cursor() as cur:
        cur.execute(f"WITH {', '.join(parts)} SELECT (SELECT value FROM seq), {ids}", params)  # noqa: S608
        value, *pks = cur.fetchone()
    obj.number = format_number(prefix, day, value)
    for row, pk in zip(rows, pks, strict=True):
        row.pk = pk
        row._state.adding = False
        row._state.db = connection.alias
    for row, name in followers:
        setattr(row, name, obj)
    for row in rows:
        post_save.send(
            sender=type(row),
            instance=row,
            created=True,
            update_fields=None,
            raw=False,
            using=connection.alias,
        )


# The INSERT text per model and the SQL of its expression-valued columns.
_compiled: dict[tuple, str] = {}


def _insert_sql(row: models.Model) -> tuple[str, list]:
    """Django's own INSERT of `row`. The text is compiled once; later calls prepare only the parameters, each
    as the compiler does it (the field's ``pre_save`` then ``get_db_prep_save``), which is most of the saving:
    compiling cost more than running the statement. Only plain values and ``RawSQL`` are cached."""
    model = type(row)
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
    values = {f.attname: getattr(row, f.attname) for f in fields}
    expressions = [(name, v) for name, v in values.items() if hasattr(v, "resolve_expression")]
    # Other expressions, or a field with its own placeholder, could compile differently from call to call.
    cacheable = all(isinstance(v, RawSQL) for _, v in expressions) and not any(
        hasattr(f, "get_placeholder") for f in fields
    )
    key = (model, tuple((name, v.sql, tuple(v.params)) for name, v in expressions)) if cacheable else None
    sql = _compiled.get(key) if key else None
    if sql is None:
        query = InsertQuery(model)
        query.insert_values(fields, [row])
        [(sql, params)] = query.get_compiler(connection=connection).as_sql()
        if key:
            _compiled[key] = sql
        return sql, list(params)
    computed = {name for name, _ in expressions}
    return sql, [
        f.get_db_prep_save(f.pre_save(row, add=True), connection=connection)
        for f in fields
        if f.attname not in computed
    ]
