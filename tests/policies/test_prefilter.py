"""The vectorised pre-filter only ever rules out pairs the exact decision finds not met (random files against
every operator, at boundaries included): it speeds matching up and never changes a result."""

import datetime as dt
import random

import pytest

from qinqing.enterprises import attributes as attrs
from qinqing.policies import conditions as cond
from qinqing.policies import prefilter

DAY = dt.date(2026, 11, 16)
REGIONS = {"339902": ("/1/2/", "东城区"), "339903": ("/1/3/", "西江区")}
CONDITIONS = [
    ("industry_code", "industry_in", "34,35"),
    ("industry_code", "industry_in", "C"),
    ("industry_code", "industry_not_in", "16,F,H"),
    ("scale", "scale_in", "小型,微型"),
    ("region", "region_within", "339902"),
    ("hnte_cert", "qualified", ""),
    ("srdi_level", "qualified", "国家级"),
    ("above_scale", "qualified", ""),
    ("revenue_last_year", "gte", "2000"),
    ("employees", "lte", "300"),
    ("established_on", "age_lte", "5"),
    ("established_on", "age_gte", "3"),
    ("tax_credit_grade", "in", "A,B"),
    ("credit", "credit_not_on", "serious"),
]


def random_facts(rng, i) -> cond.Facts:
    f = cond.Facts(
        i,
        rng.choice(["large", "medium", "small", "micro"]),
        rng.choice(["/1/2/", "/1/3/", "/1/2/7/"]),
        "x",
        rng.choice("CFGI"),
    )

    def maybe(key, value, until=None):
        if rng.random() < 0.7:
            f.attributes[key] = cond.Fact(attrs.typed(key, value), value, "imported", DAY, until)

    def until():
        return rng.choice([None, DAY, DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=30)])

    maybe("industry_code", rng.choice(["3411", "3511", "1610", "5191", "6513", "3990"]))
    maybe("revenue_last_year", str(rng.choice([1999.99, 2000, 2000.01, 50, 90000])), until())
    maybe("employees", str(rng.choice([299, 300, 301, 5])), until())
    maybe(
        "established_on",
        (
            DAY
            - dt.timedelta(days=rng.choice([365 * 3 - 1, 365 * 3, 365 * 3 + 1, 365 * 5 + 1, 365 * 5 + 2, 30]))
        ).isoformat(),
    )
    maybe("hnte_cert", "GR1", until())
    maybe("srdi_level", rng.choice(["province", "national"]), until())
    maybe("above_scale", rng.choice(["true", "false"]))
    maybe("tax_credit_grade", rng.choice("ABMCD"), until())
    return f


@pytest.mark.parametrize("seed", range(5))
def test_prefilter_never_rules_out_what_the_exact_decision_keeps(seed):
    rng = random.Random(seed)
    facts = [random_facts(rng, i) for i in range(400)]
    cols = prefilter.Columns(facts)
    for attribute, operator, value in CONDITIONS:
        check = cond.compile_condition(attribute, operator, value, REGIONS)
        mask = prefilter.possible(check, cols, DAY)
        if mask is None:
            continue
        for f, ok in zip(facts, mask, strict=True):
            exact = check.decide(f, DAY).state
            assert ok or exact == cond.NOT_MET, (attribute, operator, value, f)


def test_prefilter_rules_out_most_of_what_is_not_met():
    rng = random.Random(7)
    facts = [random_facts(rng, i) for i in range(400)]
    cols = prefilter.Columns(facts)
    check = cond.compile_condition("revenue_last_year", "gte", "2000", REGIONS)
    mask = prefilter.possible(check, cols, DAY)
    not_met = [check.decide(f, DAY).state == cond.NOT_MET for f in facts]
    assert sum(not ok for ok in mask) >= 0.9 * sum(not_met) > 0
