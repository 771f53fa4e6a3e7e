from django_tasks import task

from qinqing.core.schedule import periodic
from qinqing.credit import services


@periodic("5 0 * * *", "信用名单：公示期满的条目自动移出（重复运行不会重复移出）")
@task
def expire_credit_entries() -> dict:
    return {"ended": services.expire_entries().ended}
