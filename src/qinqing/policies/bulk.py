"""PostgreSQL's COPY for the matching run's writes: a full run over 100,000 enterprises × 500 items writes a few
million rows, which ``bulk_create`` would spend minutes building statements for. Only the matching run calls it,
and only on PostgreSQL (elsewhere the ORM writes the same rows).

Rows arrive as columns (lists, one per table column, already in COPY's text form: ``\\N`` for NULL, ``t`` /
``f``) and are formatted batch by batch into COPY's text format. ``bulk_load`` is for a run that fills the table from
empty: it drops the table's indexes and its primary-key and unique constraints and builds them again after the load, in
the same transaction (building an index by sorting is several times faster than growing it row by row). Only
the matches table is locked meanwhile: it has no foreign keys (see ``PolicyMatch``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import connection

from qinqing.policies.models import PolicyMatch

TABLE = PolicyMatch._meta.db_table
INSERTED = (
    "enterprise_id",
    "item_id",
    "status",
    "blocked_by_credit",
    "preferred",
    "digest",
    "gates_digest",
    "recheck_on",
    "computed_at",
    "eligible_since",
)
UPDATED = ("id", *INSERTED[2:], "keep_since")
STAGE = "policy_match_update"
NULL = "\\N"
_BATCH = 200_000


def _copy(table: str, names: Sequence[str], columns: Sequence[list]) -> None:
    """Columns of Python values already in COPY's text form (ints, or text without tabs and newlines)."""
    n = len(columns[0])
    template = "\t".join(["{}"] * len(columns)) + "\n"
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy,
    ):
        for start in range(0, n, _BATCH):
            part = [c[start : start + _BATCH] for c in columns]
            copy.write("".join([template.format(*row) for row in zip(*part, strict=True)]))


def insert_matches(columns: Sequence[list]) -> None:
    """Text columns in the order of ``INSERTED``."""
    if len(columns[0]):
        _copy(TABLE, INSERTED, columns)


def update_matches(columns: Sequence[list]) -> None:
    """Text columns in the order of ``UPDATED``: staged with COPY, applied with one UPDATE. ``keep_since`` keeps
    the stored eligible_since (an eligible spell goes on)."""
    if not len(columns[0]):
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGE} (id bigint, status varchar(12), blocked_by_credit boolean, "
            "preferred boolean, digest text, gates_digest text, recheck_on date, computed_at timestamptz, "
            "eligible_since timestamptz, keep_since boolean)"
        )
    _copy(STAGE, UPDATED, columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} AS m SET status = u.status, blocked_by_credit = u.blocked_by_credit, "  # noqa: S608 - our table names, no values
            "preferred = u.preferred, digest = u.digest, gates_digest = u.gates_digest, "
            "recheck_on = u.recheck_on, computed_at = u.computed_at, "
            "eligible_since = CASE WHEN u.keep_since THEN m.eligible_since ELSE u.eligible_since END "
            f"FROM {STAGE} AS u WHERE m.id = u.id"
        )
        cursor.execute(f"DROP TABLE {STAGE}")


@contextmanager
def bulk_load() -> Iterator[None]:
    """Inside a transaction: drop the table's indexes and its primary-key and unique constraints, and re-create
    them exactly as they were (their definitions read from the catalog) when the block ends. A failure rolls all
    of it back."""
    assert connection.in_atomic_block, "bulk_load must run inside a transaction"
    with connection.cursor() as cursor:
        # Constraints in the order they are rebuilt: the primary key, then unique ones. (The table has no foreign
        # keys, on purpose: dropping one would lock the table it references for the whole load.)
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('p', 'u') "
            "ORDER BY CASE contype WHEN 'p' THEN 0 ELSE 1 END, conname",
            [TABLE],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
            [TABLE],
        )
        indexes = cursor.fetchall()
        for name, _ in reversed(constraints):
            cursor.execute(f'ALTER TABLE {TABLE} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}')
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute(f"ANALYZE {TABLE}")  # the planner's statistics of the table it had seen empty
