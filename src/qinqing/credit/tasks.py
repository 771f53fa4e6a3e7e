from django_tasks import task

from qinqing.core.schedule import periodic
from qinqing.credit import services


@periodic("5 0 * * *", "信用名单：公示期满的条目自动移出（重复运行不会重复移出）")
@task
def expire_credit_entries() -> dict:
    return {"ended": services.expire_entries().ended}


@periodic("*/30 * * * *", "异议与信用修复：超期未办的提醒认定部门（每件只提醒一次）")
@task
def remind_overdue_credit_requests() -> dict:
    return {"reminded": services.remind_overdue_requests()}
