"""Background jobs of supervision (docs/worker.md). Notification delivery is ``notify.deliver``."""

from django_tasks import task

from qinqing.core.schedule import periodic
from qinqing.supervision import services
from qinqing.supervision.pauses import remind_paused
from qinqing.supervision.sweep import sweep


@periodic("*/10 * * * *", "督办单所涉诉求均已办结的，自动结束督办")
@task
def settle_orders() -> int:
    return services.settle_orders()


@periodic("*/5 * * * *", "时限巡检：黄灯预警、红灯超期、催办、升级通报（重复运行不会重复发送）")
@task
def sweep_deadlines() -> dict:
    result = sweep()
    return {"created": result.created, "notifications": result.notifications}


@periodic("30 9 * * *", "挂起提醒：等待企业补充材料的诉求提醒企业，超时告知营商办（每个提醒只发一次）")
@task
def remind_paused_appeals() -> dict:
    return remind_paused()
