"""Background jobs of the policy app (docs/worker.md): incremental re-matching after a change, the sweep
that re-matches what time alone changes (an attribute or a credit entry expires, an age threshold passes), the
redemption sweep (candidate lists, ended 公示, late steps escalated once) and the nightly recount of the per-item
figures (``tallies.rebuild``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from qinqing.core.schedule import periodic
from qinqing.credit.models import CreditEntry
from qinqing.enterprises.models import Enterprise, EnterpriseAttribute
from qinqing.policies import matching, redemption_services, tallies
from qinqing.policies.models import PolicyMatch


@task
def rematch_enterprises(enterprise_ids: list[int]) -> dict:
    stats = matching.run(enterprise_ids=enterprise_ids)
    return {"enterprises": stats.enterprises, "created": stats.created, "changed": stats.changed}


@task
def rematch_items(item_ids: list[int]) -> dict:
    stats = matching.run(item_ids=item_ids)
    return {
        "items": stats.items,
        "created": stats.created,
        "changed": stats.changed,
        "deleted": stats.deleted,
    }


def rematch_enterprises_later(enterprise_ids: set[int]) -> None:
    """The enterprise registry's hook (``enterprises.services.register_attribute_listener``): called inside
    the transaction that changed the files, so the job commits with the change or not at all."""
    rematch_enterprises.enqueue(sorted(enterprise_ids))


def due_for_recheck(day: dt.date, since: dt.datetime) -> set[int]:
    """Enterprises whose results time may have changed by `day`: a stored result past its recheck day, an
    anniversary of establishment (成立满 N 年), a credit entry changed since `since` or ending."""
    ids = set(PolicyMatch.objects.filter(recheck_on__lte=day).values_list("enterprise_id", flat=True))
    ids |= set(
        EnterpriseAttribute.objects.filter(
            key="established_on", value__endswith=day.strftime("-%m-%d")
        ).values_list("enterprise_id", flat=True)
    )
    codes = CreditEntry.objects.filter(
        Q(updated_at__gte=since) | Q(display_until=day - dt.timedelta(days=1))
    ).values_list("uscc", flat=True)
    ids |= set(Enterprise.objects.filter(uscc__in=codes).values_list("pk", flat=True))
    return ids


@periodic("*/15 * * * *", "政策匹配巡检：属性或信用条目到期、成立满年限、信用名单变更后重新匹配")
@task
def sweep_policy_matches() -> dict:
    now = timezone.now()
    ids = due_for_recheck(timezone.localdate(), now - dt.timedelta(minutes=20))
    if not ids:
        return {"enterprises": 0}
    stats = matching.run(enterprise_ids=ids)
    return {"enterprises": stats.enterprises, "created": stats.created, "changed": stats.changed}


@periodic("50 1 * * *", "惠企政策逐项统计重算：按已存匹配结果重新计数（企业变更所在区划后自动更正）")
@task
def rebuild_policy_tallies() -> dict:
    return tallies.rebuild()


@periodic(
    "*/15 * * * *",
    "政策兑现巡检：生成免申即享候选名单、公示期满转待拨付、超期环节升级通报（重复运行不会重复发送）",
)
@task
def sweep_redemption() -> dict:
    result = redemption_services.sweep()
    return {
        "candidates": result.candidates,
        "publicity_closed": result.publicity_closed,
        "escalated": result.escalated,
    }
