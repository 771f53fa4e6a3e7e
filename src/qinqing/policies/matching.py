"""Matching enterprises against policy items, explained condition by condition, stored so pages read fast.

The run preloads everything it needs (the enterprises, their attributes, the credit entries in force, the items
with their conditions and gates) in a few queries per chunk of enterprises, decides every pair in Python
(``conditions``), and writes only what changed, in bulk: a full run of the whole registry and the incremental
run after one enterprise's file (or one item) changed are the same code over fewer rows.

What is stored (``PolicyMatch``): eligible, undetermined (data missing) and blocked by credit. Other ineligible
pairs are not stored (most pairs are, and nobody lists them); the item's page explains them live.
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
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from qinqing.credit import selectors as credit_selectors
from qinqing.enterprises import attributes as attrs
from qinqing.enterprises.models import Enterprise, EnterpriseAttribute
from qinqing.organisation.models import Region
from qinqing.policies import conditions as cond
from qinqing.policies import prefilter, tallies
from qinqing.policies.models import (
    Condition,
    GateDecision,
    GateRule,
    MatchStatus,
    PolicyItem,
    PolicyMatch,
)

CHUNK = 5000


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

    def digest(self) -> str:
        payload = json.dumps([self.status, self.blocked, self.preferred, self.details], ensure_ascii=False)
        return hashlib.md5(payload.encode(), usedforsecurity=False).hexdigest()


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
    for uscc, entries in credit_selectors.active_entries_by_uscc(list(usccs), day).items():
        target = facts[usccs[uscc]]
        for e in entries:
            target.credit.append(
                cond.CreditEntryFact(
                    e.credit_list.kind,
                    e.credit_list.name,
                    e.reason[:200],
                    e.decision_no,
                    e.decided_on,
                    e.display_until,
                    e.pk,
                )
            )
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
            if h.display_until:
                recheck.append(h.display_until + dt.timedelta(days=1))
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
    live_items = {i.pk for i in items}
    stats = RunStats(items=len(items))
    ids = (
        sorted(Enterprise.objects.values_list("pk", flat=True))
        if enterprise_ids is None
        else sorted(set(enterprise_ids))
    )
    stats.enterprises = len(ids)
    for chunk in _chunks(ids):
        with transaction.atomic():
            _run_chunk(chunk, items, live_items, wanted_items, day, stats)
    if push and stats.newly_eligible:
        pushing.push_newly_eligible(stats.newly_eligible)
    tallies.rebuild(wanted_items)
    return stats


def _run_chunk(
    chunk: list[int],
    items: list[CompiledItem],
    live_items: set[int],
    wanted_items: set[int] | None,
    day: dt.date,
    stats: RunStats,
) -> None:
    facts = load_facts(chunk, day)
    existing_qs = PolicyMatch.objects.filter(enterprise_id__in=chunk)
    if wanted_items is not None:
        existing_qs = existing_qs.filter(item_id__in=wanted_items)
    existing = {
        (m[1], m[2]): m
        for m in existing_qs.values_list("pk", "enterprise_id", "item_id", "status", "digest", "gates_digest")
    }
    now = timezone.now()
    create: list[PolicyMatch] = []
    update: list[PolicyMatch] = []
    decisions: list[GateDecision] = []
    seen: set[tuple[int, int]] = set()
    order = [facts[eid] for eid in chunk if eid in facts]
    cols = prefilter.Columns(order)
    shown_before: dict[int, set[int]] = defaultdict(set)
    for eid, iid in existing:
        shown_before[iid].add(eid)
    for item in items:
        # Only enterprises the pre-filter cannot rule out, and those with a stored result to revisit.
        mask = prefilter.candidates([c for _, c in item.checks], cols, day)
        eids = {order[i].enterprise_id for i in np.flatnonzero(mask)} | shown_before[item.pk]
        for eid in sorted(eids):
            fact = facts.get(eid)
            if fact is None:
                continue
            result = evaluate(item, fact, day)
            if result.status == MatchStatus.ELIGIBLE:
                stats.eligible += 1
            elif result.status == MatchStatus.UNDETERMINED:
                stats.undetermined += 1
            key = (eid, item.pk)
            old = existing.get(key)
            if item.gates and (result.stored or old is not None):
                # A gate decision is kept when what the gates decided for a shown pair changes (or first applies).
                new_gates = [d for d in result.details if "gate" in d]
                if old is None:
                    changed_gates = any(g["applies"] for g in new_gates)
                else:
                    changed_gates = _gate_digest(new_gates) != old[5]
                if changed_gates:
                    decisions += _decisions(eid, item.pk, new_gates, day, now)
            if not result.stored:
                continue
            seen.add(key)
            digest = result.digest()
            if old is not None and old[4] == digest:
                continue
            row = PolicyMatch(
                enterprise_id=eid,
                item_id=item.pk,
                status=result.status,
                blocked_by_credit=result.blocked,
                preferred=result.preferred,
                details=result.details,
                missing=result.missing,
                digest=digest,
                gates_digest=_gate_digest([d for d in result.details if "gate" in d]),
                recheck_on=result.recheck_on,
                computed_at=now,
                eligible_since=now if result.status == MatchStatus.ELIGIBLE else None,
            )
            if result.status == MatchStatus.ELIGIBLE and (old is None or old[3] != MatchStatus.ELIGIBLE):
                stats.newly_eligible.append(key)
            if old is None:
                create.append(row)
            else:
                row.pk = old[0]
                update.append(row)
    gone = [m[0] for key, m in existing.items() if key not in seen or key[1] not in live_items]
    PolicyMatch.objects.filter(pk__in=gone).delete()
    PolicyMatch.objects.bulk_create(create, batch_size=2000)
    fields = ["status", "blocked_by_credit", "preferred", "details", "missing", "digest", "gates_digest"]
    fields += ["recheck_on"]
    fields += ["computed_at"]
    # eligible_since keeps the first day of the current eligible spell.
    still = MatchStatus.ELIGIBLE
    keep = [r for r in update if r.status == still and existing[(r.enterprise_id, r.item_id)][3] == still]
    kept = {r.pk for r in keep}
    fresh = [r for r in update if r.pk not in kept]
    PolicyMatch.objects.bulk_update(keep, fields, batch_size=2000)
    PolicyMatch.objects.bulk_update(fresh, [*fields, "eligible_since"], batch_size=2000)
    GateDecision.objects.bulk_create(decisions, batch_size=2000)
    stats.created += len(create)
    stats.changed += len(update)
    stats.deleted += len(gone)


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


def explain(item: PolicyItem, enterprise: Enterprise, day: dt.date | None = None) -> Result:
    """One pair decided live (the item page for a pair that is not stored): reads only."""
    day = day or timezone.localdate()
    compiled = compile_items([item])[0]
    facts = load_facts([enterprise.pk], day)[enterprise.pk]
    return evaluate(compiled, facts, day)
