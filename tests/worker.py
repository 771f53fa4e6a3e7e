"""Running background jobs in tests the way production does: through django-tasks-db's own worker loop
(``db_worker --batch``) against the test database, not by calling the job functions."""

from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from qinqing.core.schedule import enqueue_unless_waiting


def run_worker() -> int:
    """Work the queue until nothing is ready (jobs deferred to later stay queued); returns how many ran."""
    before = DBTaskResult.objects.exclude(status="READY").count()
    call_command("db_worker", batch=True, reload=False, startup_delay=False, queue_name="*", verbosity=0)
    return DBTaskResult.objects.exclude(status="READY").count() - before


def run_periodic(task) -> int:
    """Enqueue a periodic job as the scheduler does at its time, then work the queue."""
    enqueue_unless_waiting(task)
    return run_worker()
