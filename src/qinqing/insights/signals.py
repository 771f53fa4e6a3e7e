"""Insights listen to the appeal lifecycle instead of the lifecycle calling them (appeals stays unaware).

New appeals are not analysed here: readers of the words fill them in bulk (``AppealText.objects.fill_missing``)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from qinqing.appeals.models import AppealEvent
from qinqing.insights.models import ReplyCheck
from qinqing.insights.quality import check_reply


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
