"""Periodic jobs: which background tasks run on a clock, and how the clock enqueues them.

Each app declares its own in its ``tasks.py`` (``@periodic("*/5 * * * *")`` on a django-tasks task), so this
kernel never imports the apps; ``run_scheduler`` (APScheduler's cron triggers, in the project's time zone)
finds them all and enqueues each on its schedule. The worker (``db_worker``) then runs them like any other task.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import autodiscover_modules
from django_tasks import TaskResult, TaskResultStatus
from django_tasks.base import Task


@dataclass(frozen=True)
class Periodic:
    task: Task
    cron: str  # crontab: minute hour day-of-month month day-of-week, in TIME_ZONE
    why: str

    @property
    def name(self) -> str:
        return self.task.module_path


_registry: dict[str, Periodic] = {}


def periodic(cron: str, why: str = "") -> Callable[[Task], Task]:
    """Put a task on the clock: ``@periodic("*/5 * * * *")`` above ``@task``. The task takes no arguments."""

    def register(task: Task) -> Task:
        _registry[task.module_path] = Periodic(task=task, cron=cron, why=why)
        return task

    return register


def periodic_jobs() -> list[Periodic]:
    autodiscover_modules("tasks")
    return sorted(_registry.values(), key=lambda p: p.name)


def enqueue_unless_waiting(task: Task, *args: Any, **kwargs: Any) -> TaskResult | None:
    """Enqueue ``task`` unless a run of it is still waiting in the queue.

    A stopped or busy worker then finds one sweep waiting, not a pile of them, and a second scheduler started
    by mistake costs a query instead of double work (every periodic job is safe to overlap anyway)."""
    from django_tasks_db.models import DBTaskResult

    if DBTaskResult.objects.filter(task_path=task.module_path, status=TaskResultStatus.READY).exists():
        return None
    return task.enqueue(*args, **kwargs)
