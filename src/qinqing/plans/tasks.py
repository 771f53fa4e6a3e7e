"""Background jobs of plans (docs/worker.md)."""

from django_tasks import task

from qinqing.core.schedule import periodic
from qinqing.plans.sweep import sweep


@periodic(
    "15 * * * *",
    "任务督办：进展报告逾期、节点超期生成督办单，未按期回复的蓝→黄→红升级（重复运行不会重复发送）",
)
@task
def sweep_plans() -> dict:
    result = sweep()
    return {"created": result.created, "escalated": result.escalated}
