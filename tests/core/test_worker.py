"""The background worker for real: jobs committed by one connection are claimed and run by django-tasks-db's own
worker loop on another (a thread, as a separate process would), on SQLite and on PostgreSQL alike."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django_tasks_db.models import DBTaskResult

from qinqing.appeals import services
from qinqing.core.schedule import enqueue_unless_waiting, periodic_jobs
from qinqing.dashboard.models import DayRegionStat
from qinqing.dashboard.tasks import refresh_rollup
from qinqing.insights.models import AppealText, ReplyCheck
from qinqing.supervision.models import NotificationDelivery
from tests.worker import run_periodic, run_worker

JOBS = {
    "qinqing.accounts.tasks.clear_expired_sessions": "15 4 * * *",
    "qinqing.appeals.tasks.close_unrated": "*/10 * * * *",
    "qinqing.appeals.tasks.resume_overlong_pauses": "7 * * * *",
    "qinqing.core.tasks.prune_task_results": "30 3 * * *",
    "qinqing.core.tasks.requeue_orphaned_jobs": "*/5 * * * *",
    "qinqing.credit.tasks.expire_credit_entries": "5 0 * * *",
    "qinqing.credit.tasks.remind_overdue_credit_requests": "*/30 * * * *",
    "qinqing.dashboard.tasks.refresh_rollup": "* * * * *",
    "qinqing.indices.tasks.compute_indicators": "40 2 * * *",
    "qinqing.insights.tasks.analyse_new_appeals": "* * * * *",
    "qinqing.insights.tasks.score_stale_replies": "*/10 * * * *",
    "qinqing.plans.tasks.sweep_plans": "15 * * * *",
    "qinqing.policies.tasks.rebuild_policy_tallies": "50 1 * * *",
    "qinqing.policies.tasks.sweep_policy_matches": "*/15 * * * *",
    "qinqing.projects.tasks.sweep_project_flags": "20 1 * * *",
    "qinqing.policies.tasks.sweep_redemption": "*/15 * * * *",
    "qinqing.supervision.tasks.remind_paused_appeals": "30 9 * * *",
    "qinqing.supervision.tasks.settle_orders": "*/10 * * * *",
    "qinqing.supervision.tasks.sweep_deadlines": "*/5 * * * *",
}


def in_threads(n, fn):
    """Run fn in n threads, each with its own database connection, as n worker processes would."""
    errors = []

    def run():
        try:
            fn()
        except Exception as exc:  # reported below; a thread's exception would vanish otherwise
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors


def test_the_schedule_names_every_periodic_job(db, capsys):
    assert {job.name: job.cron for job in periodic_jobs()} == JOBS
    call_command("run_scheduler", "--list")
    assert "qinqing.supervision.tasks.sweep_deadlines" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_job_still_waiting_is_not_enqueued_again(world):
    call_command("run_scheduler", "--once")
    call_command("run_scheduler", "--once")  # the worker is down: nothing piles up
    assert DBTaskResult.objects.filter(status="READY").count() == len(JOBS)
    assert enqueue_unless_waiting(refresh_rollup) is None
    assert run_worker() == len(JOBS)
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert enqueue_unless_waiting(refresh_rollup) is not None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_committed_work_is_run_by_a_worker_on_its_own_connection(world):
    replied = [world.replied(title=f"招工难{i}", content="旺季缺一线操作工约50人") for i in range(3)]
    call_command("run_scheduler", "--once")  # what the scheduler enqueues at its times
    assert ReplyCheck.objects.filter(score__isnull=True).count() == 3
    assert not AppealText.objects.exists() and not DayRegionStat.objects.exists()

    in_threads(1, run_worker)

    assert not ReplyCheck.objects.filter(score__isnull=True).exists()
    assert set(AppealText.objects.values_list("appeal_id", flat=True)) == {a.pk for a in replied}
    assert DayRegionStat.objects.get().collected == 3
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


@pytest.mark.pg_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_share_the_queue_and_run_each_job_once(world):
    if connection.vendor != "postgresql":
        # The in-memory SQLite test database locks whole tables across connections (shared cache); the real
        # SQLite file claims jobs in EXCLUSIVE transactions, one worker at a time. PostgreSQL skips locked rows.
        pytest.skip("concurrent workers are exercised on PostgreSQL; CI runs this file there")
    for i in range(12):
        appeal = world.in_progress(title=f"招工难{i}")
        services.reply_to_appeal(
            appeal=appeal, by=world.handler_hr, measures="组织专场招聘会", result="已招到"
        )
    # Twelve scores, and the deliveries of the steps' notices (the enterprise's SMS of 受理, 签收, 答复)
    waiting = DBTaskResult.objects.filter(status="READY")
    assert waiting.filter(task_path="qinqing.insights.tasks.score_reply").count() == 12
    jobs = waiting.count()
    assert jobs == 12 * 4

    in_threads(2, run_worker)

    results = list(DBTaskResult.objects.values_list("status", "worker_ids"))
    assert len(results) == jobs and all(status == "SUCCESSFUL" and len(ids) == 1 for status, ids in results)
    assert not ReplyCheck.objects.filter(score__isnull=True).exists()
    copies = NotificationDelivery.objects.values_list("status", "attempts")
    assert len(copies) == 12 * 3 and set(copies) == {("sent", 1)}  # each sent once, by one worker


@pytest.mark.django_db
def test_a_job_left_running_by_a_killed_worker_goes_back_to_the_queue(world, settings):
    import datetime as dt

    from django.utils import timezone

    from qinqing.core.tasks import requeue_orphaned_jobs

    refresh_rollup.enqueue()
    orphan = DBTaskResult.objects.get()
    orphan.claim("killed-worker")  # what a worker does before running it; then it was SIGKILLed
    recent = DBTaskResult.objects.get(pk=refresh_rollup.enqueue().id)
    recent.claim("busy-worker")
    DBTaskResult.objects.filter(pk=orphan.pk).update(
        started_at=timezone.now() - dt.timedelta(minutes=settings.QINQING_JOB_TIMEOUT_MINUTES + 1)
    )
    run_periodic(requeue_orphaned_jobs)  # the requeue, then the worker runs the orphan it put back
    orphan.refresh_from_db()
    recent.refresh_from_db()
    assert orphan.status == "SUCCESSFUL" and orphan.worker_ids[0] == "killed-worker"
    assert recent.status == "RUNNING"  # still within the timeout: left to its worker
