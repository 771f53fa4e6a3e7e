"""Running background jobs in tests the way production does: through django-tasks-db's own worker loop (the
``Worker`` behind ``manage.py db_worker``, in batch mode) against the test database, not by calling the jobs."""

from contextlib import nullcontext
from unittest import mock

from django.db import connection
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from qinqing.core.schedule import enqueue_unless_waiting


def run_worker() -> int:
    """Work the queue until nothing is ready (jobs deferred to later stay queued); returns how many ran.

    The loop is the library's; only ``db_worker``'s signal handlers are left out, so it also runs in a thread.
    Inside a test's transaction its connection recycling is too: it would close the connection holding the test
    (a long-lived worker drops connections the database has closed; a test's connection is never one)."""
    before = DBTaskResult.objects.exclude(status="READY").count()
    keep = (
        mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
        if connection.in_atomic_block
        else nullcontext()
    )
    with keep:
        _worker().run()
    return DBTaskResult.objects.exclude(status="READY").count() - before


def _worker() -> Worker:
    return Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=get_random_string(32),
        excluded_queue_names=[],
    )


def run_periodic(task) -> int:
    """Enqueue a periodic job as the scheduler does at its time, then work the queue."""
    enqueue_unless_waiting(task)
    return run_worker()
