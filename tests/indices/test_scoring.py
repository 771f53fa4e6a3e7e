"""Scores on hand-built cases: distance to frontier in both directions and its clamping, the other methods, the
weighted roll-up with renormalisation over the children that have values, lights against target."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from qinqing.indices.scoring import Tree, leaf_score, light


@dataclass
class Ind:
    pk: int
    parent_id: int | None = None
    method: str = "frontier"
    direction: str = "lower"
    weight: Decimal = Decimal(1)
    best: Decimal | None = None
    worst: Decimal | None = None


def frontier(direction, best, worst, **kw):
    return Ind(1, direction=direction, best=Decimal(best), worst=Decimal(worst), **kw)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, 100.0), (7, 0.0), (4, 50.0), (2.5, 75.0), (0, 100.0), (10, 0.0), (6.4, 10.0)],
)
def test_lower_is_better(value, expected):
    # 开办企业环节数: best 1, worst 7 → (7 − v) / (7 − 1) × 100, clamped.
    assert leaf_score(frontier("lower", 1, 7), Decimal(str(value))) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "expected"), [(100, 100.0), (60, 0.0), (90, 75.0), (70, 25.0), (120, 100.0), (10, 0.0)]
)
def test_higher_is_better(value, expected):
    # 按期办结率: best 100, worst 60 → (60 − v) / (60 − 100) × 100 = (v − 60) / 40 × 100.
    assert leaf_score(frontier("higher", 100, 60), Decimal(value)) == pytest.approx(expected)


def test_other_methods_and_missing_values():
    assert leaf_score(Ind(1, method="yesno"), Decimal(1)) == 100.0
    assert leaf_score(Ind(1, method="yesno"), Decimal(0)) == 0.0
    assert leaf_score(Ind(1, method="points", best=Decimal(15)), Decimal(12)) == 80.0
    assert leaf_score(Ind(1, method="points", best=Decimal(15)), Decimal(30)) == 100.0
    assert leaf_score(Ind(1, method="points"), Decimal(64)) == 64.0  # no maximum: out of 100
    assert leaf_score(Ind(1, method="survey"), Decimal("87.5")) == 87.5
    assert leaf_score(Ind(1, method="survey"), Decimal(130)) == 100.0
    assert leaf_score(frontier("lower", 1, 7), None) is None
    assert leaf_score(Ind(1), Decimal(3)) is None  # frontier without best and worst: no score


def test_weighted_roll_up_renormalises_over_children_with_values():
    # A (weight 3) has leaves a1 (w 1) and a2 (w 3); B (weight 1) has b1; C (weight 2) has c1 without a value.
    nodes = [
        Ind(10, weight=Decimal(3)),
        Ind(11, 10, "survey", weight=Decimal(1)),
        Ind(12, 10, "survey", weight=Decimal(3)),
        Ind(20, weight=Decimal(1)),
        Ind(21, 20, "frontier", "lower", best=Decimal(0), worst=Decimal(10)),
        Ind(30, weight=Decimal(2)),
        Ind(31, 30, "survey"),
    ]
    tree = Tree.of(nodes)
    scores = tree.scores({11: Decimal(40), 12: Decimal(80), 21: Decimal(2)})
    assert scores[10] == pytest.approx((40 * 1 + 80 * 3) / 4)  # 70
    assert scores[20] == pytest.approx(80.0)
    assert scores[30] is None
    # The total: (70 × 3 + 80 × 1) / (3 + 1); C has no value and does not count as zero.
    assert scores[None] == pytest.approx((70 * 3 + 80) / 4)
    only_a1 = tree.scores({11: Decimal(40)})
    assert only_a1[10] == 40.0 and only_a1[None] == 40.0
    assert tree.scores({})[None] is None


def test_zero_weight_children_do_not_count():
    tree = Tree.of([Ind(1), Ind(2, 1, "survey", weight=Decimal(0)), Ind(3, 1, "survey")])
    assert tree.scores({2: Decimal(0), 3: Decimal(90)})[1] == 90.0


def test_lights():
    assert light(80, 80) == "green"
    assert light(76, 80) == "yellow"
    assert light(75, 80) == "yellow"
    assert light(74.9, 80) == "red"
    assert light(None, 80) == "" and light(80, None) == ""
