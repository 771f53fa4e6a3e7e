from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from qinqing.appeals.models import Category, TimeLimit
from qinqing.appeals.services import invalidate_categories, invalidate_time_limits


@receiver([post_save, post_delete], sender=TimeLimit)
def _time_limit_changed(**kwargs) -> None:
    invalidate_time_limits()


@receiver([post_save, post_delete], sender=Category)
def _category_changed(**kwargs) -> None:
    invalidate_categories()
