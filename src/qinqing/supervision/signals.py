"""Supervision listens to the appeal lifecycle instead of the lifecycle calling it (appeals stays unaware): each
step's event becomes the notices of the people it concerns (``appeal_notices``), in the step's transaction."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from qinqing.appeals.models import AppealEvent
from qinqing.supervision.appeal_notices import on_event


@receiver(post_save, sender=AppealEvent)
def _tell(sender, instance: AppealEvent, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        on_event(instance)
