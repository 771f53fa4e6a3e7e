import datetime as dt

from django.db import transaction
from django.db.models import F

from qinqing.core.models import DailySequence


def next_number(prefix: str, day: dt.date) -> str:
    """Next number of the day, e.g. QQ202611220001. Gap-free within a committed day.

    The UPDATE takes the row lock that serialises concurrent callers; callers should run it late in their
    transaction so the lock is held briefly.
    """
    with transaction.atomic():
        updated = DailySequence.objects.filter(prefix=prefix, day=day).update(value=F("value") + 1)
        if not updated:
            # First number of the day: create the row, tolerating a concurrent creator.
            seq, created = DailySequence.objects.get_or_create(prefix=prefix, day=day, defaults={"value": 1})
            if not created:
                DailySequence.objects.filter(pk=seq.pk).update(value=F("value") + 1)
        value = DailySequence.objects.filter(prefix=prefix, day=day).values_list("value", flat=True).get()
    return f"{prefix}{day:%Y%m%d}{value:04d}"
