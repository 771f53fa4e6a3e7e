"""Matching enterprises against policy items: decided in bulk, stored compactly, explained live.

A run reads the facts of a chunk of enterprises as columns (three queries: registry, attributes, credit entries
in force), decides every item over the whole chunk at once (``columns``: numpy, exact), compares with what is
stored and writes only what changed (COPY on PostgreSQL). A full run of the registry and the incremental run
after one enterprise's file (or one item) changed are the same code over fewer rows.

What is stored (``PolicyMatch``): eligible, undetermined (data missing) and blocked by credit, each with its
status, a digest of its condition states (one letter each) and gates, and the day time alone may change it.
Other ineligible pairs are not stored (most pairs are, and nobody lists them). The explanation, condition by
condition with the value used, its source and what would change the result, is built when a page shows a pair
(``conditions``, one enterprise at a time: ``explain`` and ``explain_stored``), from the facts as they are.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from qinqing.credit import selectors as credit_selectors
from qinqing.enterprises import attributes as attrs
from qinqing.enterprises.models import Enterprise, EnterpriseAttribute
from qinqing.organisation.models import Region
from qinqing.policies import bulk as copy_rows
from qinqing.policies import columns, tallies
from qinqing.policies import conditions as cond
from qinqing.policies.models import (
    Condition,
    GateDecision,
    GateRule,
    MatchStatus,
    PolicyItem,
    PolicyMatch,
)

CHUNK = 20000
DIGEST_WIDTH = 120  # PolicyMatch.digest


@dataclass
class CompiledItem:
    pk: int
    name: str
    kind: str
    checks: list[tuple[Condition, cond.Check]]
    gates: list[tuple[GateRule, list[str]]]
    broken: str = ""  # a stored condition that no longer compiles: the item is not matched


@dataclass
class Result:
    status: str
    blocked: bool
    preferred: bool
    details: list[dict[str, Any]]
    missing: list[str]
    recheck_on: dt.date | None
    gate_evidence: list[dict[str, Any]] = field(default_factory=list)

    @property
    def stored(self) -> bool:
        return self.status != MatchStatus.INELIGIBLE or self.blocked


def region_lookup(values: Iterable[str]) -> dict[str, tuple[str, str]]:
    codes = {c for v in values for c in cond._items(v)}
    return {r.code: (r.path, r.name) for r in Region.objects.filter(code__in=codes)}


def compile_items(items: Iterable[PolicyItem]) -> list[CompiledItem]:
    items = list(items)
    by_item: dict[int, list[Condition]] = defaultdict(list)
    for c in Condition.objects.filter(item__in=items).order_by("position", "id"):
        by_item[c.item_id].append(c)
    gates: dict[int, list[GateRule]] = defaultdict(list)
    for g in GateRule.objects.filter(item__in=items).order_by("id"):
        gates[g.item_id].append(g)
    regions = region_lookup(c.value for cs in by_item.values() for c in cs if c.operator == "region_within")
    compiled = []
    for item in items:
        checks, broken = [], ""
        for c in by_item[item.pk]:
            try:
                checks.append((c, cond.compile_condition(c.attribute, c.operator, c.value, regions)))
            except cond.ConditionError as exc:
                broken = exc.message
        compiled.append(
            CompiledItem(
                item.pk,
                item.name,
                item.kind,
                checks,
                [(g, cond.credit_kinds(g.kinds)) for g in gates[item.pk]],
                broken,
            )
        )
    return compiled


def _chunks(ids: list[int], size: int = CHUNK) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def load_facts(enterprise_ids: list[int], day: dt.date) -> dict[int, cond.Facts]:
    """The facts of the given enterprises on `day`: three queries (registry, attributes, credit)."""
    facts: dict[int, cond.Facts] = {}
    usccs: dict[str, int] = {}
    for pk, uscc, scale, industry, path, region_name in Enterprise.objects.filter(
        pk__in=enterprise_ids
    ).values_list("pk", "uscc", "scale", "industry", "region__path", "region__name"):
        facts[pk] = cond.Facts(pk, scale, path, region_name, industry)
        usccs[uscc] = pk
    registry = attrs.ATTRIBUTES
    for eid, key, value, source, as_of, valid_until in EnterpriseAttribute.objects.filter(
        enterprise_id__in=enterprise_ids
    ).values_list("enterprise_id", "key", "value", "source", "as_of", "valid_until"):
        if key in registry:
            facts[eid].attributes[key] = cond.Fact(
                attrs.typed(key, value), None, source, as_of, valid_until, key=key, raw=value
            )
    for uscc, entries in _credit_facts(usccs, day).items():
        facts[usccs[uscc]].credit.extend(entries)
    return facts


def _evidence(e: cond.CreditEntryFact) -> dict[str, Any]:
    return {
        "entry": e.entry_id,
        "kind": e.kind,
        "list": e.list_name,
        "reason": e.reason,
        "decision_no": e.decision_no,
        "decided_on": e.decided_on.isoformat() if e.decided_on else "",
        "display_until": e.display_until.isoformat() if e.display_until else "",
    }


def evaluate(item: CompiledItem, facts: cond.Facts, day: dt.date) -> Result:
    details: list[dict[str, Any]] = []
    missing: list[str] = []
    not_met = credit_hit = unknown = False
    recheck: list[dt.date] = []
    for c, check in item.checks:
        out = check.decide(facts, day)
        if out.state == cond.NOT_MET:
            if check.credit:
                credit_hit = True
            else:
                not_met = True
        elif out.state == cond.UNKNOWN:
            unknown = True
        if out.change and out.state != cond.MET:
            missing.append(out.change)
        if out.recheck_on:
            recheck.append(out.recheck_on)
        details.append(
            {
                "condition": c.pk,
                "text": check.text,
                "clause": c.clause,
                "state": out.state,
                "value": out.value,
                "source": out.source,
                "as_of": out.as_of,
                "change": out.change,
            }
        )
    preferred = False
    evidence: list[dict[str, Any]] = []
    for gate, kinds in item.gates:
        hits = [e for e in facts.credit if e.kind in kinds]
        applies = bool(hits)
        if applies and gate.effect == GateRule.Effect.REFUSE:
            credit_hit = True
            missing.append(f"移出{hits[0].list_name}后可享受（可申请信用修复）")
        elif applies:
            preferred = True
        for h in hits:
            if (after := cond.day_after(h.display_until)) is not None:
                recheck.append(after)
        evidence.append(
            {
                "gate": gate.pk,
                "effect": gate.effect,
                "measure": gate.measure,
                "applies": applies,
                "evidence": [_evidence(h) for h in hits],
            }
        )
    if not_met:
        status = MatchStatus.INELIGIBLE
    elif credit_hit:
        status = MatchStatus.INELIGIBLE
    elif unknown:
        status = MatchStatus.UNDETERMINED
    else:
        status = MatchStatus.ELIGIBLE
    details.extend(evidence)
    return Result(
        status,
        credit_hit and not not_met,
        preferred,
        details,
        missing,
        min(recheck) if recheck else None,
        evidence,
    )


@dataclass
class RunStats:
    enterprises: int = 0
    items: int = 0
    eligible: int = 0
    undetermined: int = 0
    created: int = 0
    changed: int = 0
    deleted: int = 0
    newly_eligible: list[tuple[int, int]] = field(default_factory=list)
    collect: bool = True  # collect newly_eligible (for the push)

    def summary(self) -> str:
        return (
            f"enterprises={self.enterprises} items={self.items} eligible={self.eligible} "
            f"undetermined={self.undetermined}"
        )


def matchable_items(day: dt.date, item_ids: Iterable[int] | None = None):
    qs = PolicyItem.objects.filter(active=True).filter(Q(closes_on__isnull=True) | Q(closes_on__gte=day))
    if item_ids is not None:
        qs = qs.filter(pk__in=list(item_ids))
    return qs


def run(
    *,
    enterprise_ids: Iterable[int] | None = None,
    item_ids: Iterable[int] | None = None,
    day: dt.date | None = None,
    push: bool = True,
) -> RunStats:
    """Re-match the given enterprises (all when None) against the given items (all matchable when None), write
    what changed, push what became eligible. Each chunk of enterprises is one transaction."""
    from qinqing.policies import push as pushing  # the push reads fieldwork and supervision

    day = day or timezone.localdate()
    wanted_items = None if item_ids is None else set(item_ids)
    items = compile_items(matchable_items(day, wanted_items))
    items = [i for i in items if not i.broken]
    stats = RunStats(items=len(items), collect=push)
    whole = enterprise_ids is None
    ids = (
        sorted(Enterprise.objects.values_list("pk", flat=True))
        if enterprise_ids is None
        else sorted(set(enterprise_ids))
    )
    stats.enterprises = len(ids)
    # A run over the whole registry reads the credit entries in force once; a few enterprises, theirs only.
    credit = _credit_facts(None, day) if whole else None
    if whole and connection.vendor == "postgresql" and not PolicyMatch.objects.exists():
        # Filling the table from empty (the first run): one transaction, indexes built after. Only then: a new
        # item among millions of stored pairs is written row by row, not worth rebuilding their indexes.
        with transaction.atomic(), copy_rows.bulk_load():
            for chunk in _chunks(ids):
                _run_chunk(
                    chunk, items, wanted_items, day, stats, credit, whole=True, tally=False, empty=True
                )
    else:
        for chunk in _chunks(ids):
            with transaction.atomic():
                _run_chunk(chunk, items, wanted_items, day, stats, credit, whole=whole, tally=not whole)
    if whole:
        tallies.rebuild(wanted_items)
    if push and stats.newly_eligible:
        pushing.push_newly_eligible(stats.newly_eligible)
    return stats


def _credit_facts(usccs: dict[str, int] | None, day: dt.date) -> dict[str, list[cond.CreditEntryFact]]:
    """The credit entries in force on `day`, by 统一社会信用代码 (of the given codes, or all)."""
    found = credit_selectors.active_entries_by_uscc(None if usccs is None else list(usccs), day)
    return {
        uscc: [
            cond.CreditEntryFact(
                e.credit_list.kind,
                e.credit_list.name,
                e.reason[:200],
                e.decision_no,
                e.decided_on,
                e.display_until,
                e.pk,
            )
            for e in entries
        ]
        for uscc, entries in found.items()
    }


def load_columns(
    enterprise_ids: list[int],
    day: dt.date,
    credit: dict[str, list[cond.CreditEntryFact]] | None = None,
    *,
    whole: bool = False,
) -> columns.Columns:
    """The facts of the given enterprises (sorted; with `whole`, every enterprise between the first and the last)
    as columns: three queries (registry, attributes, credit)."""
    enterprises = Enterprise.objects.all()
    attributes = EnterpriseAttribute.objects.all()
    if whole:  # a slice of the whole registry: a range, not a list of twenty thousand ids
        enterprises = enterprises.filter(pk__gte=enterprise_ids[0], pk__lte=enterprise_ids[-1])
        attributes = attributes.filter(
            enterprise_id__gte=enterprise_ids[0], enterprise_id__lte=enterprise_ids[-1]
        )
    else:
        enterprises = enterprises.filter(pk__in=enterprise_ids)
        attributes = attributes.filter(enterprise_id__in=enterprise_ids)
    registry = list(
        enterprises.order_by("pk").values_list("pk", "uscc", "scale", "industry", "region_id", "region__path")
    )
    by_uscc = {r[1]: r[0] for r in registry}
    if credit is None:
        credit = _credit_facts(by_uscc, day)
    rows = attributes.values_list("enterprise_id", "key", "value", "valid_until")
    return columns.Columns(
        [r[0] for r in registry],
        scale=[r[2] or "" for r in registry],
        section=[r[3] or "" for r in registry],
        region=[r[4] for r in registry],
        path=[r[5] or "" for r in registry],
        attributes=rows.iterator(chunk_size=20000),
        credit={by_uscc[u]: hits for u, hits in credit.items() if u in by_uscc},
    )


STATUS_CODES = (MatchStatus.ELIGIBLE, MatchStatus.UNDETERMINED, MatchStatus.INELIGIBLE)
ELIGIBLE, UNDETERMINED, INELIGIBLE = 0, 1, 2
_CODE_OF = {s: i for i, s in enumerate(STATUS_CODES)}
_BAR, _APPLIES, _NOT = ord("|"), ord("A"), ord("N")


@dataclass
class Decided:
    """The stored-worthy pairs of a chunk × items (eligible, undetermined, blocked by credit), as columns."""

    key: np.ndarray  # item_id << 32 | enterprise_id
    item: np.ndarray
    pos: np.ndarray  # index into the chunk's columns
    status: np.ndarray
    blocked: np.ndarray
    preferred: np.ndarray
    recheck: np.ndarray
    digest: np.ndarray  # one letter per condition state, "|", one letter per gate (applies / not)
    gates_digest: np.ndarray


def _decide_items(
    items: list[CompiledItem], cols: columns.Columns, day: dt.date, stats: RunStats
) -> tuple[Decided, dict[tuple[int, int], str]]:
    """Every item over the chunk. Returns the pairs to store and, for the pairs of gated items whose enterprise
    is on a list a gate names, their gates digest (the others have the item's "nothing applies" digest)."""
    parts: list[tuple] = []
    special: dict[tuple[int, int], str] = {}
    memo: dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]] = {}
    n = cols.n
    for item in items:
        not_met = np.zeros(n, dtype=bool)
        credit_hit = np.zeros(n, dtype=bool)
        unknown = np.zeros(n, dtype=bool)
        recheck = np.full(n, columns.NEVER, dtype=np.int64)
        states = []
        for _, check in item.checks:
            # Items share conditions (注册在本市, 中小微企业, 高新技术企业…): each distinct one is decided once.
            same = (check.attribute, check.operator, repr(sorted(check.params.items())))
            if same not in memo:
                memo[same] = columns.decide(check, cols, day)
            state, when = memo[same]
            if check.credit:
                credit_hit |= state == columns.NOT_MET
            else:
                not_met |= state == columns.NOT_MET
            unknown |= state == columns.UNKNOWN
            np.minimum(recheck, when, out=recheck)
            states.append(state)
            if not_met.all():
                break  # nothing of this item is stored for this chunk; nothing is eligible either
        if not_met.all():
            continue
        preferred = np.zeros(n, dtype=bool)
        applies = []
        for gate, kinds in item.gates:
            hit, _, first = cols.credit_hits(kinds)
            if gate.effect == GateRule.Effect.REFUSE:
                credit_hit |= hit
            else:
                preferred |= hit
            np.minimum(recheck, np.where(hit, first, columns.NEVER), out=recheck)
            applies.append(hit)
        status = np.where(not_met | credit_hit, INELIGIBLE, np.where(unknown, UNDETERMINED, ELIGIBLE)).astype(
            np.int8
        )
        stats.eligible += int(np.count_nonzero(status == ELIGIBLE))
        stats.undetermined += int(np.count_nonzero(status == UNDETERMINED))
        blocked = credit_hit & ~not_met
        sel = np.flatnonzero((status != INELIGIBLE) | blocked)
        if not len(sel):
            continue
        k, g = len(states), len(applies)
        letters = np.empty((len(sel), k + 1 + g), dtype=np.uint8)
        for j, state in enumerate(states):
            letters[:, j] = columns.LETTERS[state[sel]]
        letters[:, k] = _BAR
        for j, hit in enumerate(applies):
            letters[:, k + 1 + j] = np.where(hit[sel], _APPLIES, _NOT)
        digest = letters.view(f"S{k + 1 + g}").ravel().astype(str)
        if k + 1 + g > DIGEST_WIDTH:  # an item of very many conditions: a fixed-width digest of the letters
            digest = np.asarray([hashlib.md5(d.encode(), usedforsecurity=False).hexdigest() for d in digest])
        gates_digest = np.full(len(sel), _gate_digest(_gate_payload(item, [])), dtype="U32")
        if item.gates and cols.credit:
            for row in np.flatnonzero(np.isin(sel, cols.credit_positions)).tolist():
                pos = int(sel[row])
                gd = _gate_digest(_gate_payload(item, cols.credit[pos]))
                gates_digest[row] = gd
                special[(item.pk, pos)] = gd
        eids = cols.ids[sel]
        parts.append(
            (
                (np.int64(item.pk) << 32) | eids,
                np.full(len(sel), item.pk, dtype=np.int64),
                sel,
                status[sel],
                blocked[sel],
                preferred[sel],
                recheck[sel],
                digest,
                gates_digest,
            )
        )
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return Decided(
            empty,
            empty,
            empty,
            empty.astype(np.int8),
            empty.astype(bool),
            empty.astype(bool),
            empty,
            np.zeros(0, dtype="U1"),
            np.zeros(0, dtype="U32"),
        ), special
    cat = [np.concatenate([p[i] for p in parts]) for i in range(9)]
    return Decided(*cat), special


def _gate_payload(item: CompiledItem, entries: list[cond.CreditEntryFact]) -> list[dict[str, Any]]:
    """What each gate of `item` decides for an enterprise with these credit entries in force (the evidence kept
    with a gate decision)."""
    out = []
    for gate, kinds in item.gates:
        hits = [e for e in entries if e.kind in kinds]
        out.append(
            {
                "gate": gate.pk,
                "effect": gate.effect,
                "measure": gate.measure,
                "applies": bool(hits),
                "evidence": [_evidence(h) for h in hits],
            }
        )
    return out


@dataclass
class Stored:
    """The stored results of a chunk, as columns."""

    pk: np.ndarray
    key: np.ndarray
    item: np.ndarray
    enterprise: np.ndarray
    status: np.ndarray
    blocked: np.ndarray
    preferred: np.ndarray
    recheck: np.ndarray
    digest: np.ndarray
    gates_digest: np.ndarray

    @classmethod
    def load(cls, chunk: list[int], wanted_items: set[int] | None, *, whole: bool) -> Stored:
        if whole:
            qs = PolicyMatch.objects.filter(enterprise_id__gte=chunk[0], enterprise_id__lte=chunk[-1])
        else:
            qs = PolicyMatch.objects.filter(enterprise_id__in=chunk)
        if wanted_items is not None:
            qs = qs.filter(item_id__in=wanted_items)
        rows = list(
            qs.values_list(
                "pk",
                "enterprise_id",
                "item_id",
                "status",
                "blocked_by_credit",
                "preferred",
                "recheck_on",
                "digest",
                "gates_digest",
            )
        )
        cols = list(zip(*rows, strict=True)) if rows else [()] * 9
        enterprise = np.asarray(cols[1], dtype=np.int64)
        item = np.asarray(cols[2], dtype=np.int64)
        return cls(
            pk=np.asarray(cols[0], dtype=np.int64),
            key=(item << 32) | enterprise,
            item=item,
            enterprise=enterprise,
            status=np.asarray([_CODE_OF[s] for s in cols[3]], dtype=np.int8),
            blocked=np.asarray(cols[4], dtype=bool),
            preferred=np.asarray(cols[5], dtype=bool),
            recheck=np.asarray([d.toordinal() if d else columns.NEVER for d in cols[6]], dtype=np.int64),
            digest=np.asarray(cols[7], dtype=str),
            gates_digest=np.asarray(cols[8], dtype=str),
        )


def _run_chunk(
    chunk: list[int],
    items: list[CompiledItem],
    wanted_items: set[int] | None,
    day: dt.date,
    stats: RunStats,
    credit: dict[str, list[cond.CreditEntryFact]] | None,
    *,
    whole: bool,
    tally: bool,
    empty: bool = False,
) -> None:
    cols = load_columns(chunk, day, credit, whole=whole)
    new, special = _decide_items(items, cols, day, stats)
    # `empty`: the table is being filled from empty (nothing stored to compare with).
    old = Stored.load([], None, whole=False) if empty else Stored.load(chunk, wanted_items, whole=whole)
    now = timezone.now()

    # Match the pairs decided now with those stored before, by key.
    order = np.argsort(old.key, kind="stable")
    sorted_keys = old.key[order]
    at = np.searchsorted(sorted_keys, new.key)
    found = at < len(sorted_keys)
    found[found] = sorted_keys[at[found]] == new.key[found]
    was = np.full(len(new.key), -1, dtype=np.int64)
    was[found] = order[at[found]]
    kept_old = np.zeros(len(old.key), dtype=bool)
    kept_old[was[found]] = True
    gone = np.flatnonzero(~kept_old)

    w = was[found]
    f = np.flatnonzero(found)
    differs = np.zeros(len(new.key), dtype=bool)
    differs[f] = (
        (new.status[f] != old.status[w])
        | (new.blocked[f] != old.blocked[w])
        | (new.preferred[f] != old.preferred[w])
        | (new.recheck[f] != old.recheck[w])
        | (new.digest[f] != old.digest[w])
        | (new.gates_digest[f] != old.gates_digest[w])
    )
    create = np.flatnonzero(~found)
    update = np.flatnonzero(differs)

    eligible_now = new.status == ELIGIBLE
    was_eligible = np.zeros(len(new.key), dtype=bool)
    was_eligible[f] = old.status[w] == ELIGIBLE
    if stats.collect:
        fresh = np.flatnonzero(eligible_now & ~was_eligible)
        stats.newly_eligible += list(
            zip(cols.ids[new.pos[fresh]].tolist(), new.item[fresh].tolist(), strict=True)
        )

    decisions = _gate_decisions(items, cols, new, old, found, was, gone, special, day, now)
    _write(new, old, create, update, gone, was, eligible_now & was_eligible, cols, now)
    GateDecision.objects.bulk_create(decisions, batch_size=2000)
    if tally:
        tallies.apply(_tally_changes(new, old, create, update, gone, was, cols))
    stats.created += len(create)
    stats.changed += len(update)
    stats.deleted += len(gone)


def _key(status: int, blocked: bool) -> str | None:
    return tallies.key_of(STATUS_CODES[status], blocked)


def _tally_changes(
    new, old, create, update, gone, was, cols
) -> list[tuple[int, int, str | None, str | None]]:
    """(item, region, counted as before, counted as now) of every pair the chunk created, changed or deleted."""
    changes: list[tuple[int, int, str | None, str | None]] = []
    for i in create.tolist():
        changes.append(
            (int(new.item[i]), int(cols.region[new.pos[i]]), None, _key(new.status[i], new.blocked[i]))
        )
    for i in update.tolist():
        j = was[i]
        before, after = _key(old.status[j], old.blocked[j]), _key(new.status[i], new.blocked[i])
        if before != after:
            changes.append((int(new.item[i]), int(cols.region[new.pos[i]]), before, after))
    for j in gone.tolist():
        pos = cols.position.get(int(old.enterprise[j]))
        if pos is not None:
            changes.append(
                (int(old.item[j]), int(cols.region[pos]), _key(old.status[j], old.blocked[j]), None)
            )
    return changes


def _gate_decisions(items, cols, new, old, found, was, gone, special, day, now) -> list[GateDecision]:
    """A gate decision is kept when what the gates decided for a shown pair changes (or first applies)."""
    gated = {i.pk: i for i in items if i.gates}
    if not gated:
        return []
    nothing = {pk: _gate_digest(_gate_payload(item, [])) for pk, item in gated.items()}
    decisions: list[GateDecision] = []

    def decide(item: CompiledItem, pos: int) -> None:
        payload = _gate_payload(item, cols.credit.get(pos, []))
        decisions.extend(_decisions(int(cols.ids[pos]), item.pk, payload, day, now))

    is_gated = np.isin(new.item, list(gated))
    for i in np.flatnonzero(is_gated).tolist():
        iid, pos = int(new.item[i]), int(new.pos[i])
        before = old.gates_digest[was[i]] if found[i] else nothing[iid]
        if new.gates_digest[i] != before:
            decide(gated[iid], pos)
    for j in gone.tolist():
        iid = int(old.item[j])
        pos = cols.position.get(int(old.enterprise[j]))
        if iid not in gated or pos is None:
            continue
        now_digest = special.get((iid, pos)) or (
            _gate_digest(_gate_payload(gated[iid], cols.credit[pos])) if pos in cols.credit else nothing[iid]
        )
        if now_digest != old.gates_digest[j]:
            decide(gated[iid], pos)
    return decisions


def _write(new, old, create, update, gone, was, keep_since, cols, now) -> None:
    """Delete what is no longer shown, insert what is new, update what changed: COPY on PostgreSQL (a full run
    writes millions of rows), the ORM elsewhere."""
    gone_pks = old.pk[gone].tolist()
    for start in range(0, len(gone_pks), 10000):
        PolicyMatch.objects.filter(pk__in=gone_pks[start : start + 10000]).delete()
    if connection.vendor == "postgresql":
        # Inserted in the order of the unique index (enterprise, item): it then grows at its end.
        create = create[np.lexsort((new.item[create], cols.ids[new.pos[create]]))]
        stamp = now.isoformat()
        copy_rows.insert_matches(
            [cols.ids[new.pos[create]].tolist(), new.item[create].tolist(), *_text_values(new, create, stamp)]
        )
        copy_rows.update_matches(
            [
                old.pk[was[update]].tolist(),
                *_text_values(new, update, stamp),
                ["t" if k else "f" for k in keep_since[update].tolist()],
            ]
        )
        return
    since = [now if s == ELIGIBLE else None for s in new.status.tolist()]

    def values(i: int) -> tuple:
        return (
            STATUS_CODES[new.status[i]],
            bool(new.blocked[i]),
            bool(new.preferred[i]),
            str(new.digest[i]),
            str(new.gates_digest[i]),
            columns.ordinal_date(int(new.recheck[i])),
        )

    PolicyMatch.objects.bulk_create(
        [
            PolicyMatch(
                enterprise_id=int(cols.ids[new.pos[i]]),
                item_id=int(new.item[i]),
                **dict(zip(_FIELDS, values(i), strict=True)),
                computed_at=now,
                eligible_since=since[i],
            )
            for i in create.tolist()
        ],
        batch_size=2000,
    )
    rows = []
    for i in update.tolist():
        row = PolicyMatch(
            pk=int(old.pk[was[i]]), **dict(zip(_FIELDS, values(i), strict=True)), computed_at=now
        )
        row.eligible_since = since[i]
        rows.append((row, bool(keep_since[i])))
    # eligible_since keeps the first day of the current eligible spell.
    PolicyMatch.objects.bulk_update(
        [r for r, keep in rows if keep], [*_FIELDS, "computed_at"], batch_size=2000
    )
    PolicyMatch.objects.bulk_update(
        [r for r, keep in rows if not keep], [*_FIELDS, "computed_at", "eligible_since"], batch_size=2000
    )


_FIELDS = ("status", "blocked_by_credit", "preferred", "digest", "gates_digest", "recheck_on")
_STATUS_TEXT = [str(s) for s in STATUS_CODES]
_TF = ("f", "t")


def _text_values(new: Decided, rows: np.ndarray, stamp: str) -> list[list]:
    """status … eligible_since of `rows` as COPY text columns."""
    days: dict[int, str] = {}
    for o in np.unique(new.recheck[rows]).tolist():
        d = columns.ordinal_date(o)
        days[o] = d.isoformat() if d else copy_rows.NULL
    status = new.status[rows].tolist()
    return [
        [_STATUS_TEXT[s] for s in status],
        [_TF[b] for b in new.blocked[rows].tolist()],
        [_TF[b] for b in new.preferred[rows].tolist()],
        new.digest[rows].tolist(),
        new.gates_digest[rows].tolist(),
        [days[o] for o in new.recheck[rows].tolist()],
        [stamp] * len(status),
        [stamp if s == ELIGIBLE else copy_rows.NULL for s in status],
    ]


def _gate_digest(gates: list[dict[str, Any]]) -> str:
    """What the gates decided (which rule applied on which entries): a new decision is kept when it changes."""
    if not gates:
        return ""
    key = sorted((g["gate"], g["applies"], sorted(e["entry"] or 0 for e in g["evidence"])) for g in gates)
    return hashlib.md5(json.dumps(key).encode(), usedforsecurity=False).hexdigest()


def _decisions(eid: int, item_id: int, gates: list[dict[str, Any]], day: dt.date, now) -> list[GateDecision]:
    return [
        GateDecision(
            enterprise_id=eid,
            item_id=item_id,
            rule_id=g["gate"],
            effect=g["effect"],
            applies=g["applies"],
            measure=g["measure"],
            evidence=g["evidence"],
            decided_on=day,
            decided_at=now,
        )
        for g in gates
    ]


def explain_stored(matches: list[PolicyMatch], day: dt.date | None = None) -> list[PolicyMatch]:
    """Attach to each stored match the explanation of its pair (``details``, ``missing``), built from the facts
    as they are: a handful of queries for the whole list (the enterprises' facts, the items' conditions)."""
    if not matches:
        return matches
    day = day or timezone.localdate()
    compiled = {c.pk: c for c in compile_items({m.item_id: m.item for m in matches}.values())}
    facts = load_facts(sorted({m.enterprise_id for m in matches}), day)
    for m in matches:
        r = evaluate(compiled[m.item_id], facts[m.enterprise_id], day)
        m.details, m.missing = r.details, r.missing
    return matches


def explain(item: PolicyItem, enterprise: Enterprise, day: dt.date | None = None) -> Result:
    """One pair decided live (the item page for a pair that is not stored): reads only."""
    day = day or timezone.localdate()
    compiled = compile_items([item])[0]
    facts = load_facts([enterprise.pk], day)[enterprise.pk]
    return evaluate(compiled, facts, day)
