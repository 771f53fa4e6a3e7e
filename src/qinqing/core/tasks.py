"""Housekeeping of the task queue itself (docs/worker.md)."""

import datetime as dt
import logging

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from qinqing.core.schedule import periodic

log = logging.getLogger(__name__)


@periodic("30 3 * * *", "清理 14 天前已完成的后台任务记录（失败的保留 30 天）")
@task
def prune_task_results() -> None:
    call_command("prune_db_task_results", min_age_days=14, failed_min_age_days=30, verbosity=0)


@periodic(
    "*/5 * * * *", "把被强行终止的后台进程留下的“运行中”任务放回队列（超过 QINQING_JOB_TIMEOUT_MINUTES 分钟）"
)
@task
def requeue_orphaned_jobs() -> int:
    """A worker killed mid-job (SIGKILL, out of memory, power) leaves its job marked running for ever: nobody else
    claims it, so a notification copy would never be sent and a periodic run would be skipped. A job running longer
    than any of ours takes is put back in the queue; jobs are idempotent (docs/worker.md), so running it again
    after a worker that was merely slow is harmless. Found by bench/reliability.py, which kills a worker a minute."""
    cutoff = timezone.now() - dt.timedelta(minutes=settings.QINQING_JOB_TIMEOUT_MINUTES)
    stuck = DBTaskResult.objects.running().filter(started_at__lt=cutoff)
    ids = list(stuck.values_list("id", flat=True))
    # Conditional on still running: a job that finished meanwhile keeps its result.
    n = DBTaskResult.objects.filter(id__in=ids, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY, started_at=None
    )
    if n:
        log.warning("requeued %s job(s) left running by a stopped worker: %s", n, ids)
    return n
