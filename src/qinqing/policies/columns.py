"""The exact decisions of a matching run, over columns: for a chunk of enterprises and a condition, each
enterprise's state (met / not met / unknown) and the first day time alone may change it, computed with numpy for
the whole chunk at once.

``conditions`` says what a condition means, one enterprise at a time, with the words of the explanation (the
value used, its source, what would change the result); this module decides the same thing for a hundred
thousand enterprises without building an explanation, so a run of 100,000 enterprises × 500 items decides fifty
million pairs in seconds. The two must agree exactly: ``tests/policies/test_columns.py`` decides random files
(boundaries, expiries and 29 February included) both ways for every operator and compares state and recheck
day. A comparison the floating-point column cannot settle (a value within rounding of the bound) is decided
again in ``Decimal`` from the stored text.

Categorical values (行业代码, 等级, 区划路径, 规模) are decided once per distinct value and spread by index, which
is what makes the columns cheap: a city has a few hundred industry codes, not a hundred thousand.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

import numpy as np

from qinqing.enterprises import attributes as attrs
from qinqing.policies import conditions as cond

MET, NOT_MET, UNKNOWN = 0, 1, 2
STATE_NAMES = (cond.MET, cond.NOT_MET, cond.UNKNOWN)
LETTERS = np.frombuffer(b"MNU", dtype=np.uint8)  # one letter per state in a stored pair's digest
NEVER = np.int64(1 << 40)  # "no such day": larger than any date's ordinal
_EPOCH = dt.date(1970, 1, 1).toordinal()


_LAST = dt.date.max.toordinal()


def _after(day: dt.date) -> int:
    """The ordinal of the day after `day` (NEVER after 9999-12-31)."""
    return int(NEVER) if day >= dt.date.max else day.toordinal() + 1


def ordinal_date(o: int) -> dt.date | None:
    """The date of an ordinal; None for NEVER and for the day after 9999-12-31 (长期有效: nothing changes)."""
    return None if o > _LAST else dt.date.fromordinal(int(o))


class AttributeRow(NamedTuple):
    """One stored attribute as the run reads it (the canonical text, not yet typed); a row of
    ``values_list("enterprise_id", "key", "value", "valid_until")`` is one."""

    enterprise_id: int
    key: str
    value: str
    valid_until: dt.date | None


@dataclass
class Column:
    """One attribute over the chunk. ``codes`` index ``distinct`` (-1 where the attribute is not held)."""

    held: np.ndarray  # bool
    has_until: np.ndarray  # bool
    until: np.ndarray  # int64 ordinal; NEVER where no expiry
    raw: np.ndarray  # object: the stored text ("" where not held)
    codes: np.ndarray  # int64 into `distinct`
    distinct: list[str]
    number: np.ndarray | None = None  # float64 (nan where not held), numeric attributes
    day: np.ndarray | None = None  # int64 ordinal (0 where not held), dates


def _categorical(values: np.ndarray, held: np.ndarray) -> tuple[np.ndarray, list[str]]:
    distinct, inverse = np.unique(values.astype(str), return_inverse=True)
    codes = np.where(held, inverse.reshape(-1), -1).astype(np.int64)
    return codes, [str(d) for d in distinct]


def _spread(codes: np.ndarray, per_value: Sequence[bool], default: bool = False) -> np.ndarray:
    """A decision per distinct value spread over the chunk (`default` where the value is not held)."""
    lookup = np.append(np.asarray(per_value, dtype=bool), default)
    return lookup[codes]  # codes == -1 reads the appended default


class Columns:
    """The facts of a chunk of enterprises, one array per fact, in the order of ``ids``."""

    def __init__(
        self,
        ids: Sequence[int],
        *,
        scale: Sequence[str],
        section: Sequence[str],
        path: Sequence[str],
        region: Sequence[int | None] | None = None,
        attributes: Iterable[tuple] = (),
        credit: dict[int, list[cond.CreditEntryFact]] | None = None,
    ):
        self.ids = np.asarray(ids, dtype=np.int64)
        self.n = len(self.ids)
        self.position = {int(e): i for i, e in enumerate(self.ids)}
        self.region = np.asarray([r or 0 for r in (region or [0] * self.n)], dtype=np.int64)
        self.scale_codes, self.scales = _categorical(np.asarray(scale, dtype=object), np.ones(self.n, bool))
        self.section_codes, self.sections = _categorical(
            np.asarray(section, dtype=object), np.ones(self.n, bool)
        )
        self.path_codes, self.paths = _categorical(np.asarray(path, dtype=object), np.ones(self.n, bool))
        rows: dict[str, list[tuple]] = defaultdict(list)
        known, position = attrs.ATTRIBUTES, self.position
        for row in attributes:  # tuples: (enterprise_id, key, value, valid_until)
            if row[1] in known and row[0] in position:
                rows[row[1]].append(row)
        self._rows = rows
        self._columns: dict[str, Column] = {}
        # Credit entries in force, by position: few enterprises have any.
        self.credit = {self.position[e]: hits for e, hits in (credit or {}).items() if e in self.position}
        self.credit_positions = np.asarray(sorted(self.credit), dtype=np.int64)
        self._kinds: dict[tuple[str, ...], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._turns: dict[str, np.ndarray] = {}

    # ------------------------------------------------------------------ columns

    def column(self, key: str) -> Column:
        if key not in self._columns:
            self._columns[key] = self._build(key, self._rows.get(key, []))
        return self._columns[key]

    def _build(self, key: str, rows: list[tuple]) -> Column:
        n = self.n
        position = self.position
        pos = np.fromiter((position[r[0]] for r in rows), dtype=np.int64, count=len(rows))
        held = np.zeros(n, dtype=bool)
        held[pos] = True
        raw = np.full(n, "", dtype=object)
        raw[pos] = [r[2] for r in rows]
        until = np.full(n, NEVER, dtype=np.int64)
        until[pos] = [r[3].toordinal() if r[3] else NEVER for r in rows]
        has_until = until < NEVER
        codes, distinct = _categorical(raw, held)
        col = Column(held, has_until, until, raw, codes, distinct)
        kind = attrs.ATTRIBUTES[key].kind
        if kind in (attrs.INT, attrs.DECIMAL):
            number = np.full(n, np.nan)
            number[pos] = np.asarray([r[2] for r in rows], dtype=str).astype(np.float64) if rows else []
            col.number = number
        elif kind == attrs.DATE:
            day = np.zeros(n, dtype=np.int64)
            if rows:
                parsed = np.asarray([r[2] for r in rows], dtype="datetime64[D]")
                day[pos] = parsed.astype(np.int64) + _EPOCH
            col.day = day
        return col

    def anniversary(self, key: str, years: int, today: int) -> np.ndarray:
        """The day each enterprise is `years` old by the date attribute `key` (`today` where not held)."""
        name = f"{key}+{years}@{today}"
        if name not in self._turns:
            col = self.column(key)
            assert col.day is not None
            self._turns[name] = _add_years(np.where(col.held, col.day, today), years)
        return self._turns[name]

    def credit_hits(self, kinds: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For a set of list kinds: (on such a list, the day after the last hit's display ends when every hit has
        an end (else NEVER), the day after the first hit's display ends (else NEVER))."""
        key = tuple(sorted(kinds))
        if key not in self._kinds:
            hit = np.zeros(self.n, dtype=bool)
            last = np.full(self.n, NEVER, dtype=np.int64)
            first = np.full(self.n, NEVER, dtype=np.int64)
            for i, entries in self.credit.items():
                hits = [e for e in entries if e.kind in kinds]
                if not hits:
                    continue
                hit[i] = True
                ends = [_after(e.display_until) for e in hits if e.display_until]
                if len(ends) == len(hits):
                    last[i] = max(ends)
                if ends:
                    first[i] = min(ends)
            self._kinds[key] = (hit, last, first)
        return self._kinds[key]


def _add_years(ordinals: np.ndarray, years: int) -> np.ndarray:
    """`conditions._add_years` over a column: the same day `years` later, 29 February → 28 February."""
    days = (ordinals - _EPOCH).astype("datetime64[D]")
    month = days.astype("datetime64[M]")
    into = (days - month.astype("datetime64[D]")).astype(np.int64)
    later = month + np.timedelta64(12 * years, "M")
    first = later.astype("datetime64[D]").astype(np.int64)
    last = (later + np.timedelta64(1, "M")).astype("datetime64[D]").astype(np.int64) - 1
    return np.minimum(first + into, last) + _EPOCH


def decide(check: cond.Check, cols: Columns, day: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """(state, recheck) of `check` over the chunk: states MET / NOT_MET / UNKNOWN (int8) and the first day time
    alone may change each (int64 ordinal, NEVER for none), exactly as ``check.decide`` says one by one."""
    op, p, key, n = check.operator, check.params, check.attribute, cols.n
    today = day.toordinal()
    state = np.full(n, UNKNOWN, dtype=np.int8)
    recheck = np.full(n, NEVER, dtype=np.int64)

    def settle(mask: np.ndarray, ok: np.ndarray) -> None:
        state[mask] = np.where(ok[mask], MET, NOT_MET)

    if op in ("gte", "lte", "in"):
        col = cols.column(key)
        present = col.held & ~(col.has_until & (col.until < today))  # an expired value is unknown
        if op == "in":
            ok = _spread(col.codes, [v in p["wanted"] for v in col.distinct])
        else:
            bound, exact = p["bound"], p["exact"]
            assert col.number is not None
            with np.errstate(invalid="ignore"):
                ok = col.number >= bound if op == "gte" else col.number <= bound
                close = present & (np.abs(col.number - bound) <= 1e-9 * max(1.0, abs(bound)))
            close_at = np.flatnonzero(close)
            # The stored text is canonical: the same text as the bound is equal, which both operators accept.
            close_at = close_at[col.raw[close_at] != p["text"]]
            for i in close_at:
                value = Decimal(col.raw[i])
                ok[i] = value >= exact if op == "gte" else value <= exact
        settle(present, ok)
        recheck[present & col.has_until] = col.until[present & col.has_until] + 1
    elif op in ("age_lte", "age_gte"):
        col = cols.column(key)
        assert col.day is not None
        turns = cols.anniversary(key, p["years"], today)
        if op == "age_lte":
            ok, changes = today <= turns, turns + 1
        else:
            ok, changes = today >= turns, turns
        settle(col.held, ok)
        later = col.held & (changes > today)
        recheck[later] = changes[later]
    elif op in ("industry_in", "industry_not_in"):
        col = cols.column(key)
        prefixes, negate = p["prefixes"], p["negate"]

        def matches(code: str, section: str) -> bool:
            return any(section == x if x.isalpha() else code.startswith(x) for x in prefixes) != negate

        ok = _spread(col.codes, [matches(c, attrs.section_of(c) or "") for c in col.distinct])
        settle(col.held, ok)
        if p["letters"]:
            # The registry's 门类 answers a condition on 门类 alone.
            known = _spread(cols.section_codes, [bool(s) for s in cols.sections])
            in_list = _spread(cols.section_codes, [(s in prefixes) != negate for s in cols.sections])
            settle(~col.held & known, in_list)
    elif op == "scale_in":
        known = _spread(cols.scale_codes, [bool(s) for s in cols.scales])
        settle(known, _spread(cols.scale_codes, [s in p["wanted"] for s in cols.scales]))
    elif op == "region_within":
        within = [any(path.startswith(x) for x in p["paths"]) for path in cols.paths]
        settle(np.ones(n, dtype=bool), _spread(cols.path_codes, within))
    elif op == "qualified":
        col = cols.column(key)
        attr = attrs.ATTRIBUTES[key]
        when = (p["on"] or day).toordinal()
        ok = col.held.copy()
        if attr.kind == attrs.BOOL:
            ok &= _spread(col.codes, [v == "true" for v in col.distinct])
        if p["levels"]:
            ok &= _spread(col.codes, [v in p["levels"] for v in col.distinct])
        state[:] = NOT_MET
        no_expiry = ok & ~col.has_until
        state[no_expiry] = UNKNOWN if attr.kind == attrs.CERT else MET
        dated = ok & col.has_until
        valid = dated & (col.until >= when)
        state[valid] = MET
        if not p["on"]:
            recheck[valid] = col.until[valid] + 1
    elif op == "credit_not_on":
        hit, last, _ = cols.credit_hits(p["kinds"])
        state[:] = np.where(hit, NOT_MET, MET)
        recheck[hit] = last[hit]
    else:  # an operator the columns do not know yet must not be decided wrongly in bulk
        raise ValueError(f"no vectorised decision for operator {op!r}")
    recheck[recheck > _LAST] = NEVER  # the day after 9999-12-31 (长期有效) never comes
    return state, recheck
