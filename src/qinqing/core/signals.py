from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from qinqing.core import workcalendar
from qinqing.core.models import CalendarOverride


@receiver([post_save, post_delete], sender=CalendarOverride)
def _override_changed(**kwargs) -> None:
    workcalendar.invalidate_overrides()
