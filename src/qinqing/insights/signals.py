"""Insights listen to the appeal lifecycle instead of the lifecycle calling them (appeals stays unaware)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from qinqing.appeals.models import Appeal, AppealEvent
from qinqing.insights import text as pipeline
from qinqing.insights.models import AppealText, ReplyCheck
from qinqing.insights.quality import check_reply


@receiver(post_save, sender=Appeal)
def _analyse_new_appeal(sender, instance: Appeal, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        # A new row: a plain insert (no look-up first, no savepoints) keeps intake cheap.
        AppealText.objects.create(
            appeal=instance, words=pipeline.analyse(f"{instance.title}{instance.content}")
        )


@receiver(post_save, sender=AppealEvent)
def _check_reply(sender, instance: AppealEvent, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw or instance.kind != AppealEvent.Kind.REPLIED:
        return
    appeal = instance.appeal
    result = check_reply(f"{appeal.title}{appeal.content}", f"{appeal.reply_measures}\n{appeal.reply_result}")
    ReplyCheck.objects.create(
        appeal=appeal,
        event_id=instance.pk,
        score=result.score,
        relevance=result.relevance,
        flagged=result.flagged,
        reasons=result.reasons,
    )
