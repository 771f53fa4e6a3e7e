"""Housekeeping of sign-in state (docs/security.md 剩余信息保护)."""

from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks import task

from qinqing.core.schedule import periodic


@periodic("15 4 * * *", "清除已过期的会话（剩余信息保护：退出登录时会话即删除，超时未退出的在此清除）")
@task
def clear_expired_sessions() -> dict:
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return {"deleted": deleted}
