"""Scores of an indicator tree, pure functions over plain values (no database).

* 前沿距离法 (frontier): score = (worst − v) / (worst − best) × 100, clamped to 0–100. The one formula serves both
  directions: for 越低越好 best < worst, for 越高越好 best > worst (it is then (v − worst) / (best − worst)), and the
  import refuses a direction that contradicts best and worst.
* 是否判定 (yes/no): 1 (是) scores 100, 0 (否) scores 0.
* 计分 (points): value ÷ maximum × 100, the maximum being the indicator's 最优值 (100 when not given), clamped.
* 满意度调查得分 (survey): the 0–100 survey score as it is, clamped.
* An inner node is the weighted mean of its children's scores over the children that have a score: weights are
  renormalised over those, so a missing leaf neither counts as 0 nor blocks the roll-up; a node none of whose
  children has a score has none. Frameworks whose source publishes no weights ship with equal weights (1 each).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

# Lights against a target: green at or above it, yellow at most YELLOW_BAND points below it, red further below.
YELLOW_BAND = 5.0


class Scored(Protocol):
    pk: int
    parent_id: int | None
    method: str
    direction: str
    weight: Decimal
    best: Decimal | None
    worst: Decimal | None


def clamp(x: float) -> float:
    return max(0.0, min(100.0, x))


def leaf_score(ind: Scored, value: Decimal | float | None) -> float | None:
    if value is None:
        return None
    v = float(value)
    if ind.method == "yesno":
        return 100.0 if v >= 0.5 else 0.0
    if ind.method == "points":
        top = float(ind.best) if ind.best not in (None, 0) else 100.0
        return round(clamp(v / top * 100), 2)
    if ind.method == "survey":
        return round(clamp(v), 2)
    if ind.best is None or ind.worst is None or ind.best == ind.worst:
        return None
    worst, best = float(ind.worst), float(ind.best)
    return round(clamp((worst - v) / (worst - best) * 100), 2)


def frontier_text(ind: Scored) -> str:
    """The formula as the indicator page shows it."""
    if ind.method == "yesno":
        return "是 = 100 分，否 = 0 分"
    if ind.method == "points":
        top = ind.best if ind.best not in (None, 0) else Decimal(100)
        return f"得分 = 数值 ÷ {_num(top)} × 100（0–100 截断）"
    if ind.method == "survey":
        return "得分 = 满意度调查得分（0–100）"
    if ind.best is None or ind.worst is None:
        return "前沿距离法（尚未设定最优值、最差值，暂不计分）"
    return f"得分 = (最差值 {_num(ind.worst)} − 数值) ÷ (最差值 {_num(ind.worst)} − 最优值 {_num(ind.best)}) × 100（0–100 截断）"


def _num(d: Decimal) -> str:
    return f"{d.normalize():f}"


@dataclass
class Tree:
    """Children by parent id (None: the first level), in the framework's order."""

    nodes: dict[int, Scored]
    children: dict[int | None, list[int]]

    @classmethod
    def of(cls, indicators: Iterable[Scored]) -> Tree:
        nodes: dict[int, Scored] = {}
        children: dict[int | None, list[int]] = {}
        for ind in indicators:
            nodes[ind.pk] = ind
            children.setdefault(ind.parent_id, []).append(ind.pk)
        return cls(nodes, children)

    def is_leaf(self, pk: int) -> bool:
        return not self.children.get(pk)

    def leaves(self) -> list[int]:
        return [pk for pk in self.nodes if self.is_leaf(pk)]

    def scores(self, values: Mapping[int, Decimal | float | None]) -> dict[int | None, float | None]:
        """Every node's score from the leaves' values; key None is the framework's total."""
        out: dict[int | None, float | None] = {}

        def walk(pk: int | None) -> float | None:
            kids = self.children.get(pk, [])
            if pk is not None and not kids:
                score = leaf_score(self.nodes[pk], values.get(pk))
            else:
                total = weight = 0.0
                for child in kids:
                    s = walk(child)
                    w = float(self.nodes[child].weight)
                    if s is not None and w > 0:
                        total += s * w
                        weight += w
                score = round(total / weight, 2) if weight else None
            out[pk] = score
            return score

        walk(None)
        return out


def light(score: float | None, target: float | None) -> str:
    if score is None or target is None:
        return ""
    if score >= target:
        return "green"
    return "yellow" if score >= target - YELLOW_BAND else "red"
