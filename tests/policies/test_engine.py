"""The bulk run stores exactly what the one-by-one explanation decides, pair by pair: after a full run from empty
(on PostgreSQL the bulk load that rebuilds the indexes), after files change (the incremental run of those
enterprises) and after an item's conditions change (the run of that item); the figures' tallies with them."""

import datetime as dt
import random

from django.db import connection

from qinqing.credit.models import CreditEntry, CreditList, ListKind
from qinqing.enterprises.models import Enterprise, EnterpriseAttribute
from qinqing.policies import matching
from qinqing.policies.models import Condition, GateDecision, GateRule, MatchStatus, PolicyItem, PolicyMatch
from tests.conftest import make_uscc
from tests.policies.test_tallies import grouped
from tests.policies.test_tallies import stored as tally_stored

DAY = dt.date(2026, 11, 16)
ITEMS = [
    [("region", "region_within", "339902"), ("scale", "scale_in", "小型,微型")],
    [("industry_code", "industry_in", "C"), ("revenue_last_year", "gte", "2000")],
    [("hnte_cert", "qualified", ""), ("employees", "lte", "300")],
    [("established_on", "age_lte", "5"), ("tax_credit_grade", "in", "A,B")],
    [("srdi_level", "qualified", "省级,国家级"), ("credit", "credit_not_on", "serious")],
    [("established_on", "age_gte", "3"), ("industry_code", "industry_not_in", "16,F")],
    [("above_scale", "qualified", ""), ("rnd_last_year", "gte", "100")],
]


def _files(world, rng, n):
    ents = [
        Enterprise.objects.create(
            uscc=make_uscc(rng.choice(["339902", "339903"])),
            name=f"测试企业{i}有限公司",
            industry=rng.choice("CFGI"),
            scale=rng.choice(["large", "medium", "small", "micro"]),
            region=rng.choice([world.east, world.west]),
        )
        for i in range(n)
    ]
    rows = []
    for e in ents:
        for key, values in (
            ("industry_code", ["3411", "1610", "5191", "6513"]),
            ("revenue_last_year", ["1999.99", "2000", "90000"]),
            ("employees", ["299", "300", "301"]),
            ("established_on", ["2024-02-29", "2021-11-16", "2023-11-17", "2010-01-01"]),
            ("hnte_cert", ["GR1"]),
            ("srdi_level", ["province", "national"]),
            ("above_scale", ["true", "false"]),
            ("rnd_last_year", ["50", "100", "500"]),
            ("tax_credit_grade", list("ABMCD")),
        ):
            if rng.random() < 0.75:
                until = rng.choice(
                    [None, None, DAY, DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=40), dt.date.max]
                )
                rows.append(
                    EnterpriseAttribute(
                        enterprise=e,
                        key=key,
                        value=rng.choice(values),
                        source="imported",
                        as_of=DAY,
                        valid_until=until,
                    )
                )
    EnterpriseAttribute.objects.bulk_create(rows)
    return ents


def _credit(ents, rng):
    serious = CreditList.objects.create(
        code="s", kind=ListKind.SERIOUS, name="严重失信主体名单", legal_basis="x"
    )
    red = CreditList.objects.create(code="r", kind=ListKind.RED, name="守信激励名单", legal_basis="x")
    for e in rng.sample(ents, len(ents) // 4):
        CreditEntry.objects.create(
            credit_list=rng.choice([serious, red]),
            uscc=e.uscc,
            name=e.name,
            enterprise=e,
            reason="x",
            decision_no=f"D-{e.pk}",
            decided_on=DAY - dt.timedelta(days=30),
            display_until=DAY + dt.timedelta(days=rng.randint(1, 300)),
        )


def assert_stored_as_explained(items):
    assert tally_stored() == grouped()  # the figures' tallies kept in step by every kind of run
    stored = {(m.enterprise_id, m.item_id): m for m in PolicyMatch.objects.all()}
    expected = {}
    for item in PolicyItem.objects.filter(pk__in=[i.pk for i in items]):
        for e in Enterprise.objects.all():
            r = matching.explain(item, e, DAY)
            if r.stored:
                expected[(e.pk, item.pk)] = (r.status, r.blocked, r.preferred, r.recheck_on)
    got = {k: (m.status, m.blocked_by_credit, m.preferred, m.recheck_on) for k, m in stored.items()}
    assert got == expected
    assert any(s == MatchStatus.ELIGIBLE for s, *_ in got.values())
    assert any(s == MatchStatus.UNDETERMINED for s, *_ in got.values())
    assert any(b for _, b, *_ in got.values())


def test_the_bulk_run_stores_what_the_explanation_decides(lib, clock):
    rng = random.Random(4)
    ents = _files(lib.world, rng, 80)
    _credit(ents, rng)
    items = [lib.item(name=f"事项{i}", conditions=c) for i, c in enumerate(ITEMS)]
    GateRule.objects.create(item=items[0], effect=GateRule.Effect.REFUSE, kinds="serious", measure="备忘录")
    GateRule.objects.create(item=items[1], effect=GateRule.Effect.PREFER, kinds="red", measure="信易+")

    first = matching.run(push=False, day=DAY)
    assert first.created == PolicyMatch.objects.count() > 0
    assert_stored_as_explained(items)
    assert GateDecision.objects.filter(item=items[0], applies=True).exists()
    if connection.vendor == "postgresql":  # the load from empty rebuilt what it dropped
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'policies_policymatch'")
            names = {r[0] for r in cursor.fetchall()}
        assert {
            "match_item_status",
            "match_recheck",
            "uniq_policy_match",
            "policies_policymatch_pkey",
        } <= names

    # Files change: the incremental run of those enterprises (updates, creations and deletions).
    changed = rng.sample(ents, 30)
    for e in changed:
        EnterpriseAttribute.objects.update_or_create(
            enterprise=e, key="employees", defaults={"value": rng.choice(["10", "900"]), "as_of": DAY}
        )
        EnterpriseAttribute.objects.filter(enterprise=e, key="hnte_cert").update(
            valid_until=DAY + dt.timedelta(days=rng.choice([-5, 400]))
        )
    inc = matching.run(enterprise_ids=[e.pk for e in changed], push=False, day=DAY)
    assert inc.created + inc.changed + inc.deleted > 0
    assert_stored_as_explained(items)

    # An item's conditions change: the run of that item.
    Condition.objects.filter(item=items[2], attribute="employees").update(value="900")
    matching.run(item_ids=[items[2].pk], push=False, day=DAY)
    assert_stored_as_explained(items)

    again = matching.run(push=False, day=DAY)
    assert again.created == again.changed == again.deleted == 0
