"""Background jobs of the dashboard (docs/worker.md)."""

from django_tasks import task

from qinqing.core.schedule import periodic
from qinqing.dashboard import rollup


@periodic("* * * * *", "驾驶舱汇总刷新（只重算有变化的日期）")
@task
def refresh_rollup() -> int:
    return rollup.refresh()
