"""Background jobs of the appeal lifecycle (docs/worker.md)."""

from django_tasks import task

from qinqing.appeals import services
from qinqing.core.schedule import periodic


@periodic("7 * * * *", "挂起达到上限的诉求自动恢复计时")
@task
def resume_overlong_pauses() -> int:
    return services.resume_overlong_pauses()


@periodic("*/10 * * * *", "评价期满未评价的诉求自动办结")
@task
def close_unrated() -> int:
    return services.close_unrated()
