"""Background jobs of the index (docs/worker.md): the computed leaves (系统计算), recomputed every night."""

from __future__ import annotations

from django_tasks import task

from qinqing.core.schedule import periodic
from qinqing.indices import services


@periodic(
    "40 2 * * *", "评价指标：由本系统数据计算的指标（按期办结率、满意率等）按区划、期间写入（未变的不重写）"
)
@task
def compute_indicators() -> dict:
    r = services.compute_observations()
    return {"written": r.written, "unchanged": r.unchanged, "empty": r.empty}
