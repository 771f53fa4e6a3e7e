"""Housekeeping of the task queue itself (docs/worker.md)."""

from django.core.management import call_command
from django_tasks import task

from qinqing.core.schedule import periodic


@periodic("30 3 * * *", "清理 14 天前已完成的后台任务记录（失败的保留 30 天）")
@task
def prune_task_results() -> None:
    call_command("prune_db_task_results", min_age_days=14, failed_min_age_days=30, verbosity=0)
