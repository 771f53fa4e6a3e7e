"""Insights listen to the appeal lifecycle instead of the lifecycle calling them (appeals stays unaware).

A reply gets a pending quality check in its own transaction; the score is computed by the worker. New appeals
are not analysed here either: a periodic job stores their words in bulk (``insights.tasks``)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from qinqing.appeals.models import AppealEvent
from qinqing.insights.models import ReplyCheck
from qinqing.insights.tasks import score_reply


@receiver(post_save, sender=AppealEvent)
def _check_reply(sender, instance: AppealEvent, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw or instance.kind != AppealEvent.Kind.REPLIED:
        return
    check = ReplyCheck.objects.create(appeal_id=instance.appeal_id, event_id=instance.pk)
    # The queue is a table in this database: the job commits with the reply or not at all, and no worker can
    # see it before the reply's transaction (and the appeal's row lock) is over.
    score_reply.enqueue(check.pk)
