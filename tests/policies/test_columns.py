"""The vectorised decisions of a matching run agree exactly with the one-by-one decisions that explain them: random
files (values at the bounds, expiries today / yesterday / later, 29 February, missing values, credit entries with
and without an end) decided both ways for every operator, state and recheck day compared pair by pair."""

import datetime as dt
import random

import numpy as np
import pytest

from qinqing.enterprises import attributes as attrs
from qinqing.policies import columns
from qinqing.policies import conditions as cond

DAY = dt.date(2026, 11, 16)
REGIONS = {"339902": ("/1/2/", "东城区"), "339903": ("/1/3/", "西江区")}
CONDITIONS = [
    ("industry_code", "industry_in", "34,35"),
    ("industry_code", "industry_in", "C"),
    ("industry_code", "industry_in", "C,I"),
    ("industry_code", "industry_not_in", "16,F,H"),
    ("industry_code", "industry_not_in", "C"),
    ("scale", "scale_in", "小型,微型"),
    ("region", "region_within", "339902"),
    ("region", "region_within", "339902,339903"),
    ("hnte_cert", "qualified", ""),
    ("hnte_cert", "qualified", "2026-12-31"),
    ("srdi_level", "qualified", "国家级"),
    ("srdi_level", "qualified", ""),
    ("above_scale", "qualified", ""),
    ("revenue_last_year", "gte", "2000"),
    ("revenue_last_year", "lte", "1999.99"),
    ("revenue_last_year", "gte", "0.1"),
    ("employees", "lte", "300"),
    ("employees", "gte", "300"),
    ("established_on", "age_lte", "5"),
    ("established_on", "age_gte", "3"),
    ("established_on", "age_gte", "1"),
    ("tax_credit_grade", "in", "A,B"),
    ("credit", "credit_not_on", "serious"),
    ("credit", "credit_not_on", "serious,abnormal"),
]


def random_world(rng, n):
    ids = list(range(1, n + 1))
    scale = [rng.choice(["large", "medium", "small", "micro", ""]) for _ in ids]
    section = [rng.choice(["C", "F", "G", "I", ""]) for _ in ids]
    path = [rng.choice(["/1/2/", "/1/3/", "/1/2/7/", "/1/4/"]) for _ in ids]
    rows = []

    def until():
        return rng.choice([None, DAY, DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=30), dt.date.max])

    for e in ids:

        def maybe(key, value, valid_until=None, e=e):
            if rng.random() < 0.7:
                rows.append(columns.AttributeRow(e, key, attrs.parse(key, value), valid_until))

        maybe("industry_code", rng.choice(["3411", "3511", "1610", "5191", "6513", "3990", "5111"]))
        maybe("revenue_last_year", rng.choice(["1999.99", "2000", "2000.01", "0.1", "50", "90000"]), until())
        maybe("employees", rng.choice(["299", "300", "301", "5"]), until())
        born = rng.choice(
            [
                DAY - dt.timedelta(days=d)
                for d in (365 * 3 - 1, 365 * 3, 365 * 3 + 1, 365 * 5 + 1, 365 * 5 + 2, 30, 366, 365)
            ]
            + [dt.date(2024, 2, 29), dt.date(2021, 11, 16), dt.date(2021, 11, 17), dt.date(2023, 11, 16)]
        )
        maybe("established_on", born.isoformat())
        maybe("hnte_cert", "GR1", until())
        maybe("srdi_level", rng.choice(["province", "national"]), until())
        maybe("above_scale", rng.choice(["true", "false"]))
        maybe("tax_credit_grade", rng.choice("ABMCD"), until())
    credit = {}
    for e in rng.sample(ids, n // 5):
        credit[e] = [
            cond.CreditEntryFact(
                rng.choice(["serious", "abnormal", "red"]),
                "名单",
                "原因",
                "D-1",
                DAY - dt.timedelta(days=10),
                rng.choice([None, DAY + dt.timedelta(days=rng.randint(1, 400)), dt.date.max]),  # 长期
                e * 10 + k,
            )
            for k in range(rng.randint(1, 3))
        ]
    cols = columns.Columns(ids, scale=scale, section=section, path=path, attributes=rows, credit=credit)
    facts = {}
    for e, s, sec, pth in zip(ids, scale, section, path, strict=True):
        facts[e] = cond.Facts(e, s, pth, "区", sec)
        facts[e].credit = credit.get(e, [])
    for r in rows:
        facts[r.enterprise_id].attributes[r.key] = cond.Fact(
            attrs.typed(r.key, r.value), None, "imported", DAY, r.valid_until, key=r.key, raw=r.value
        )
    return ids, cols, facts


@pytest.mark.parametrize("seed", range(6))
def test_the_columns_decide_every_operator_exactly_as_the_explanation(seed):
    rng = random.Random(seed)
    day = DAY + dt.timedelta(days=rng.choice([0, 0, 1, 365]))
    ids, cols, facts = random_world(rng, 500)
    for attribute, operator, value in CONDITIONS:
        check = cond.compile_condition(attribute, operator, value, REGIONS)
        state, recheck = columns.decide(check, cols, day)
        for i, e in enumerate(ids):
            one = check.decide(facts[e], day)
            got = (columns.STATE_NAMES[state[i]], columns.ordinal_date(recheck[i]))
            assert got == (one.state, one.recheck_on), (attribute, operator, value, facts[e])


def test_a_value_within_rounding_of_the_bound_is_decided_in_decimal():
    big = "12345678901234567.01"  # beyond a double's precision: the float says equal
    rows = [columns.AttributeRow(1, "revenue_last_year", big, None)]
    cols = columns.Columns([1], scale=["small"], section=["C"], path=["/1/"], attributes=rows)
    check = cond.compile_condition("revenue_last_year", "lte", "12345678901234567")
    state, _ = columns.decide(check, cols, DAY)
    assert columns.STATE_NAMES[state[0]] == cond.NOT_MET
    assert float(big) <= float("12345678901234567")  # what the float alone would have said


def test_an_operator_without_a_vectorised_decision_is_refused_not_guessed():
    check = cond.compile_condition("employees", "lte", "300")
    odd = cond.Check(check.attribute, "unheard_of", check.text, check.decide, params={"x": 1})
    cols = columns.Columns([1], scale=["small"], section=["C"], path=["/1/"])
    with pytest.raises(ValueError):
        columns.decide(odd, cols, DAY)
    assert np.array_equal(columns.decide(check, cols, DAY)[0], [columns.UNKNOWN])
