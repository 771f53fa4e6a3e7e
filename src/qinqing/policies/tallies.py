"""The per-item match counts (``MatchTally``): how many stored matches of each item are eligible, undetermined
or blocked by credit, per enterprise region, so the figures page sums a few hundred rows instead of grouping
millions of matches.

Two ways to keep them:

* ``apply(changes)``: the matching engine's changes of stored pairs, ``(item_id, region_id, old_key, new_key)``
  with keys from ``key_of`` (None: the pair was not stored before / is not stored after), added in its own
  transaction: summed per (item, region) in Python, then one upsert per chunk of pairs;
* ``rebuild(item_ids)``: the counts of some items (or all) recomputed from ``PolicyMatch`` in one
  ``INSERT ... SELECT ... GROUP BY``; nightly (``tasks.rebuild_policy_tallies``) it also heals the counts of an
  enterprise that moved region (its matches were counted under the old one).

Both write with raw SQL: the project's audit receivers listen to every ``post_delete``, so an ORM delete would
load every row it deletes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from django.db import connection, transaction
from django.db.models import Count

from qinqing.enterprises.models import Enterprise
from qinqing.policies.models import MatchStatus, MatchTally, PolicyMatch

ELIGIBLE = "eligible"
UNDETERMINED = "undetermined"
BLOCKED = "blocked"
# The columns of ``MatchTally`` a stored match counts under, in this order everywhere below.
STATUS_KEYS: tuple[str, ...] = (ELIGIBLE, UNDETERMINED, BLOCKED)

Change = tuple[int, int, str | None, str | None]
T = TypeVar("T")


def key_of(status: str, blocked: bool) -> str | None:
    """The column a stored match counts under; None for a pair that is not stored (ineligible, not by credit)."""
    if status == MatchStatus.ELIGIBLE:
        return ELIGIBLE
    if status == MatchStatus.UNDETERMINED:
        return UNDETERMINED
    if status == MatchStatus.INELIGIBLE and blocked:
        return BLOCKED
    return None


def _rows_per_statement(per_row: int, fixed: int = 0) -> int:
    """Rows (or ids) per statement: at most 1,000, within the backend's parameter limit (SQLite's 999 as
    Django assumes it) with ``fixed`` other parameters."""
    limit = connection.features.max_query_params or 5000
    return max(1, min(1000, (limit - fixed) // per_row))


def _chunks(rows: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _deltas(changes: Iterable[Change]) -> dict[tuple[int, int], list[int]]:
    index = {key: i for i, key in enumerate(STATUS_KEYS)}
    deltas: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for item_id, region_id, old, new in changes:
        if old == new:
            continue
        for key in (old, new):
            if key is not None and key not in index:
                raise ValueError(f"unknown tally key {key!r}")
        pair = deltas[(item_id, region_id)]
        if old is not None:
            pair[index[old]] -= 1
        if new is not None:
            pair[index[new]] += 1
    return {pair: d for pair, d in deltas.items() if any(d)}


def apply(changes: Iterable[Change]) -> int:
    """Add the changes of stored pairs to the tallies; returns how many (item, region) rows changed.

    One ``INSERT ... ON CONFLICT (item_id, region_id) DO UPDATE`` per chunk of pairs (PostgreSQL, and SQLite
    since 3.24), then one ``DELETE`` of the rows a decrease left at zero, so the table holds what ``rebuild``
    would write. Runs in the caller's transaction (its own when there is none)."""
    deltas = _deltas(changes)
    if not deltas:
        return 0
    table = connection.ops.quote_name(MatchTally._meta.db_table)
    cols = ", ".join(STATUS_KEYS)
    sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in STATUS_KEYS)
    rows = sorted(deltas.items())  # a fixed order: two concurrent runs lock rows in the same order
    decreased = sorted({item_id for (item_id, _), d in rows if min(d) < 0})
    with transaction.atomic(savepoint=False), connection.cursor() as cur:
        for chunk in _chunks(rows, _rows_per_statement(5)):
            values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
            sql = (
                f"INSERT INTO {table} (item_id, region_id, {cols}) VALUES {values} "  # noqa: S608 - names only
                f"ON CONFLICT (item_id, region_id) DO UPDATE SET {sets}"
            )
            cur.execute(sql, [v for (item_id, region_id), d in chunk for v in (item_id, region_id, *d)])
        zero = " AND ".join(f"{c} = 0" for c in STATUS_KEYS)
        for items in _chunks(decreased, _rows_per_statement(1)):
            marks = ", ".join(["%s"] * len(items))
            cur.execute(f"DELETE FROM {table} WHERE {zero} AND item_id IN ({marks})", list(items))  # noqa: S608
    return len(rows)


def rebuild(item_ids: Iterable[int] | None = None) -> dict[str, int]:
    """Recompute the tallies of the given items (all when None) from ``PolicyMatch``, grouped by item and the
    enterprise's region, replacing their rows; one transaction. Returns ``{"items": N, "rows": N}``: the items
    and rows the tallies hold for them afterwards."""
    q = connection.ops.quote_name
    table, matches, enterprises = (
        q(MatchTally._meta.db_table),
        q(PolicyMatch._meta.db_table),
        q(Enterprise._meta.db_table),
    )
    statuses = [MatchStatus.ELIGIBLE.value, MatchStatus.UNDETERMINED.value, MatchStatus.INELIGIBLE.value]
    select = (
        "SELECT m.item_id, e.region_id, "  # noqa: S608 - table names only; the values are parameters
        "SUM(CASE WHEN m.status = %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN m.status = %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN m.status = %s AND m.blocked_by_credit THEN 1 ELSE 0 END) "
        f"FROM {matches} m JOIN {enterprises} e ON e.id = m.enterprise_id "
        "WHERE (m.status IN (%s, %s) OR (m.status = %s AND m.blocked_by_credit))"
    )
    insert = f"INSERT INTO {table} (item_id, region_id, {', '.join(STATUS_KEYS)}) "
    # A run applying its changes between the DELETE and the INSERT may have inserted a row again: the recount
    # (which sees that run's matches when it sees its row) replaces it.
    group = " GROUP BY m.item_id, e.region_id ON CONFLICT (item_id, region_id) DO UPDATE SET " + ", ".join(
        f"{k} = excluded.{k}" for k in STATUS_KEYS
    )
    params = [*statuses, *statuses]
    wanted = None if item_ids is None else sorted(set(item_ids))
    held = {"items": 0, "rows": 0}
    with transaction.atomic(), connection.cursor() as cur:
        if wanted is None:
            cur.execute(f"DELETE FROM {table}")  # noqa: S608 - the table's name only
            cur.execute(insert + select + group, params)
            written = [MatchTally.objects.all()]
        else:
            written = []
            for items in _chunks(wanted, _rows_per_statement(1, fixed=len(params))):
                marks = ", ".join(["%s"] * len(items))
                cur.execute(f"DELETE FROM {table} WHERE item_id IN ({marks})", list(items))  # noqa: S608
                cur.execute(insert + select + f" AND m.item_id IN ({marks})" + group, [*params, *items])
                written.append(MatchTally.objects.filter(item_id__in=items))
        for rows in written:
            got = rows.aggregate(items=Count("item_id", distinct=True), rows=Count("id"))
            held["items"] += got["items"]
            held["rows"] += got["rows"]
    return held
