"""The vectorised pre-filter of a matching run: for a chunk of enterprises and an item, which enterprises can
*not* be ruled out by the item's conditions (numpy over columns of the preloaded facts). Only those are decided
one by one (``conditions``), so a run over 100,000 enterprises × 500 items decides the few pairs that may be
shown, not fifty million.

It may only rule out a pair that ``conditions`` would decide "not met" on some condition: whenever it is not
sure (a value at a boundary, an operator it does not know) it keeps the pair. ``tests/policies`` checks that it
never rules out a pair the exact decision would store.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from qinqing.enterprises import attributes as attrs
from qinqing.policies import conditions as cond

_FAR = dt.date.max.toordinal()


class Columns:
    def __init__(self, facts: list[cond.Facts]):
        self.facts = facts
        self.n = len(facts)
        self.scale = np.array([f.scale for f in facts], dtype=object)
        self.section = np.array([f.industry_section for f in facts], dtype=object)
        self.path = np.array([f.region_path for f in facts], dtype=str)
        self._cache: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def sections(self, key: str) -> np.ndarray:
        """The 门类 of each enterprise's 行业代码 ("" when none)."""
        name = "§" + key
        if name not in self._cache:
            _, code, _ = self.attr(key)
            self._cache[name] = (np.array([attrs.section_of(c) or "" for c in code], dtype=object),) * 3
        return self._cache[name][0]

    def attr(self, key: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(held, value, valid_until ordinal) of an attribute over the chunk."""
        if key not in self._cache:
            kind = attrs.ATTRIBUTES[key].kind
            got = [f.attributes.get(key) for f in self.facts]
            held = np.array([g is not None for g in got], dtype=bool)
            until = np.array(
                [g.valid_until.toordinal() if g is not None and g.valid_until else _FAR for g in got],
                dtype=np.int64,
            )
            values: np.ndarray
            if kind in (attrs.INT, attrs.DECIMAL):
                values = np.array(
                    [float(g.value) if g is not None else np.nan for g in got], dtype=np.float64
                )
            elif kind == attrs.DATE:
                values = np.array([g.value.toordinal() if g is not None else 0 for g in got], dtype=np.int64)
            elif kind == attrs.BOOL:
                values = np.array([bool(g.value) if g is not None else False for g in got], dtype=bool)
            else:
                values = np.array([str(g.value) if g is not None else "" for g in got], dtype=str)
            self._cache[key] = (held, values, until)
        return self._cache[key]


def _years_before(day: dt.date, years: int) -> int:
    return cond._add_years(day, -years).toordinal()


def possible(check: cond.Check, cols: Columns, day: dt.date) -> np.ndarray | None:
    """False where the condition is certainly not met; None when this check cannot rule anything out."""
    op, p, key = check.operator, check.params, check.attribute
    today = day.toordinal()
    if check.credit or not p:
        return None
    if op in ("gte", "lte"):
        held, value, until = cols.attr(key)
        bound = p["bound"]
        slack = 1e-9 * max(1.0, abs(bound))
        with np.errstate(invalid="ignore"):
            fails = value < bound - slack if op == "gte" else value > bound + slack
        return ~(held & (until >= today) & fails)
    if op == "scale_in":
        return np.isin(cols.scale, p["wanted"])
    if op == "region_within":
        ok = np.zeros(cols.n, dtype=bool)
        for path in p["paths"]:
            ok |= np.char.startswith(cols.path, path)
        return ok
    if op in ("industry_in", "industry_not_in"):
        held, code, _ = cols.attr(key)
        sections = cols.sections(key)
        hit = np.zeros(cols.n, dtype=bool)
        registry_hit = np.zeros(cols.n, dtype=bool)
        for prefix in p["prefixes"]:
            if prefix.isalpha():
                hit |= sections == prefix
                registry_hit |= cols.section == prefix
            else:
                hit |= np.char.startswith(code, prefix)
        if p["negate"]:
            hit, registry_hit = ~hit, ~registry_hit
        unknown_ok = registry_hit if p["letters"] else np.ones(cols.n, dtype=bool)
        return np.where(held, hit, unknown_ok)
    if op == "qualified":
        held, value, until = cols.attr(key)
        when = (p["on"] or day).toordinal()
        ok = held & (until >= when)
        kind = attrs.ATTRIBUTES[key].kind
        if kind == attrs.BOOL:
            ok &= value
        if p["levels"]:
            ok &= np.isin(value, p["levels"])
        return ok
    if op == "in":
        held, value, until = cols.attr(key)
        return ~(held & (until >= today) & ~np.isin(value, p["wanted"]))
    if op in ("age_lte", "age_gte"):
        held, established, _ = cols.attr(key)
        limit = _years_before(day, p["years"])
        if op == "age_lte":  # not met when established clearly before day − N years
            return ~(held & (established < limit - 1))
        return ~(held & (established > limit + 1))
    return None


def candidates(item_checks: list[cond.Check], cols: Columns, day: dt.date) -> np.ndarray:
    mask = np.ones(cols.n, dtype=bool)
    for check in item_checks:
        ok = possible(check, cols, day)
        if ok is not None:
            mask &= ok
            if not mask.any():
                break
    return mask
