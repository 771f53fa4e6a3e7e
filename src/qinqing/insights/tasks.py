"""Background jobs of the insights app (run by the worker, docs/worker.md): reply scores and appeal words."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from qinqing.appeals import services as appeal_services
from qinqing.appeals.models import Appeal, AppealEvent, Status
from qinqing.core.errors import TransitionNotAllowed
from qinqing.core.schedule import periodic
from qinqing.insights.models import AppealText, ReplyCheck
from qinqing.insights.quality import check_reply

# A check still pending this long after its reply lost its job (a worker killed mid-task): score it anyway.
STALE_PENDING = dt.timedelta(minutes=10)


@task
def score_reply(check_id: int) -> int | None:
    """Score one pending reply check; returns the score, or None when it was already scored."""
    check = ReplyCheck.objects.filter(pk=check_id, score__isnull=True).select_related("appeal").first()
    if check is None:
        return None
    appeal = check.appeal
    # The text of that reply, not the appeal's current one: a reopened appeal may have been answered again since.
    event = (
        AppealEvent.objects.filter(pk=check.event_id, kind=AppealEvent.Kind.REPLIED).first()
        if check.event_id is not None
        else None
    )
    if event is not None:
        reply = f"{(event.data or {}).get('measures', '')}\n{event.note}"
    else:
        reply = f"{appeal.reply_measures}\n{appeal.reply_result}"
    result = check_reply(f"{appeal.title}{appeal.content}", reply)
    # Claim by condition: a retry or the safety net scoring the same check writes nothing twice.
    claimed = ReplyCheck.objects.filter(pk=check_id, score__isnull=True).update(
        score=result.score, relevance=result.relevance, flagged=result.flagged, reasons=result.reasons
    )
    if claimed and not result.flagged:
        _release_if_held(appeal.pk, check.event_id)
    return result.score


def _release_if_held(appeal_id: int, event_id: int | None) -> None:
    """A held reply (答复复核 in its region) that scored well reaches the enterprise without waiting for anyone;
    a flagged one stays for the reviewer (the 答复复核 list)."""
    appeal = Appeal.objects.filter(pk=appeal_id, status=Status.REVIEW).first()
    latest = (
        appeal and appeal.events.filter(kind=AppealEvent.Kind.REPLIED).order_by("-created_at", "-id").first()
    )
    if appeal is None or latest is None or latest.pk != event_id:
        return  # not held, or answered again since: that reply has its own check
    try:
        appeal_services.release_reply(appeal=appeal, by=None, note="答复质量评分合格，自动送达")
    except TransitionNotAllowed:
        pass  # the reviewer acted first


@periodic("*/10 * * * *", "答复评分补漏：评分任务丢失（进程中断）的答复")
@task
def score_stale_replies() -> int:
    stale = ReplyCheck.objects.filter(score__isnull=True, checked_at__lt=timezone.now() - STALE_PENDING)
    return sum(score_reply.call(pk) is not None for pk in stale.values_list("pk", flat=True)[:500])


@periodic("* * * * *", "新诉求分词（相似诉求索引、共性问题归集只读取已分词的诉求）")
@task
def analyse_new_appeals() -> int:
    return AppealText.objects.fill_missing()
