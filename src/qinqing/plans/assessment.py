"""四挂钩 yearly performance assessment sheet (年度绩效考核评分表), one row per department of a region.

Columns, each a score out of 100, with the weight it counts for:

- 诉求办理: the department evaluation of appeals over the year (``supervision.evaluation.evaluate``'s score);
- 任务推进: the plan-task score of the year by the ranking rule (``plans.rankings``, same formula over the year);
- 指标牵头: the score of the indicators the department owns (牵头), from ``indices`` — see
  ``indicator_owner_scores`` (the mean score of the leaves it owns, ``indices.selectors.owner_scores``);
- 监督员抽查: the 特约监督员 spot-check average of the year (fieldwork's column of the evaluation).

The total is the weighted mean of the columns the department has a score in, the weights renormalised over them
(the row says which were missing), so a department without appeals is not marked down to zero for it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from qinqing.core import excel
from qinqing.indices import selectors as index_selectors
from qinqing.organisation.models import Department, Region
from qinqing.plans import rankings
from qinqing.supervision.evaluation import evaluate

WEIGHTS = {"appeals": 40, "plans": 30, "indicators": 20, "spot_checks": 10}
LABELS = {"appeals": "诉求办理", "plans": "任务推进", "indicators": "指标牵头", "spot_checks": "监督员抽查"}
GRADES = ((90, "优秀"), (80, "良好"), (60, "合格"), (0, "基本合格"))


def indicator_owner_scores(region: Region, year: int) -> dict[int, float]:
    """{department id: mean score of the indicator leaves it owns} for the year (``indices.selectors``); a
    department owning none with a value is absent, its column blank and the weight spread over the others."""
    return index_selectors.owner_scores(region, year)


@dataclass
class SheetRow:
    department_id: int
    department: str
    scores: dict[str, float | None] = field(default_factory=dict)

    @property
    def total(self) -> float | None:
        present = {k: w for k, w in WEIGHTS.items() if self.scores.get(k) is not None}
        weight = sum(present.values())
        if not weight:
            return None
        return round(sum(float(self.scores[k] or 0) * w for k, w in present.items()) / weight, 1)

    @property
    def grade(self) -> str:
        total = self.total
        if total is None:
            return "—"
        return next(label for floor, label in GRADES if total >= floor)

    @property
    def cells(self) -> list[float | None]:
        return [self.scores.get(k) for k in WEIGHTS]

    @property
    def missing(self) -> list[str]:
        return [LABELS[k] for k in WEIGHTS if self.scores.get(k) is None]


def sheet(region: Region, year: int, today: dt.date | None = None) -> list[SheetRow]:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows: dict[int, SheetRow] = {}

    def row(dept_id: int) -> SheetRow:
        if dept_id not in rows:
            rows[dept_id] = SheetRow(dept_id, "", {k: None for k in WEIGHTS})
        return rows[dept_id]

    for r in evaluate(region, start, end):
        row(r.department.pk).scores["appeals"] = r.score
        spot = r.extras.get("spot_check_score")
        if spot is not None:
            row(r.department.pk).scores["spot_checks"] = float(str(spot))
    for ln in rankings.lines(region, start, end, today):
        if ln.score is not None:
            row(ln.department_id).scores["plans"] = ln.score
    for dept_id, score in indicator_owner_scores(region, year).items():
        row(dept_id).scores["indicators"] = round(float(score), 1)
    names = Department.objects.in_bulk(list(rows))
    out: list[SheetRow] = []
    for line in rows.values():
        d = names.get(line.department_id)
        if d is None or d.kind == Department.Kind.OFFICE:
            continue
        line.department = str(d)
        out.append(line)
    out.sort(key=lambda x: (x.total is None, -(x.total or 0), x.department))
    return out


def headers() -> list[str]:
    return (
        ["序号", "单位"]
        + [f"{LABELS[k]}得分（权重{w}%）" for k, w in WEIGHTS.items()]
        + ["综合得分", "考核等次", "备注"]
    )


def xlsx(region: Region, year: int, rows: list[SheetRow]) -> bytes:
    body = [
        [i, r.department]
        + [r.scores.get(k) for k in WEIGHTS]
        + [r.total, r.grade, ("缺" + "、".join(r.missing) + "，权重按其余项折算") if r.missing else ""]
        for i, r in enumerate(rows, start=1)
    ]
    notes = [
        ["考核单位", region.name],
        ["考核年度", f"{year}年"],
        ["用途", "年度绩效考核，与提拔使用、评优评先、年度考核等次、督查问责四挂钩"],
        *[[f"{LABELS[k]}（{w}%）", _explain(k)] for k, w in WEIGHTS.items()],
        ["综合得分", "各项得分按权重加权平均；缺项的权重按其余各项折算"],
        ["任务推进排名规则版本", rankings.RULE_VERSION],
    ]
    return excel.workbook(
        [(f"{year}年度绩效考核评分表", headers(), body), ("评分说明", ["项目", "说明"], notes)]
    )


def _explain(key: str) -> str:
    return {
        "appeals": "全年诉求办理综合评价得分（签收及时率、按期办结率、解决率、满意率加权，扣除升级通报）",
        "plans": "全年任务节点按期完成率×100，扣督办单、节点退回；" + rankings.RULE_TEXT,
        "indicators": "牵头的营商环境评价指标得分（指标体系模块提供；尚未测评时为空）",
        "spot_checks": "特约监督员全年抽查平均分（百分制）",
    }[key]
