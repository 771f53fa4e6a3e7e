"""Health endpoints for the load balancer and the monitoring (docs/deploy.md).

``/healthz/live``: the process answers (no database). ``/healthz/ready``: the database answers and the background
worker is alive: a job finished within ``QINQING_WORKER_STALE_MINUTES`` (the scheduler enqueues work every minute)
and no job ready to run has waited longer than that. 503 with the failing checks otherwise."""

import datetime as dt
import sys

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks_db.models import DBTaskResult, get_date_max


@login_not_required
@never_cache
@require_GET
def live(request):
    return JsonResponse({"status": "ok"})


def worker_state(now: dt.datetime) -> dict:
    stale = now - dt.timedelta(minutes=settings.QINQING_WORKER_STALE_MINUTES)
    last = (
        DBTaskResult.objects.exclude(finished_at=None)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    ready = DBTaskResult.objects.ready()
    depth = ready.count()
    oldest = ready.order_by("enqueued_at").first()
    waiting = None
    if oldest is not None:
        due = oldest.run_after if oldest.run_after != get_date_max() else oldest.enqueued_at
        waiting = max(oldest.enqueued_at, due)
    return {
        "last_finished": last.isoformat() if last else None,
        "queue_depth": depth,
        "oldest_waiting_seconds": int((now - waiting).total_seconds()) if waiting else 0,
        "ok": last is not None and last >= stale and (waiting is None or waiting >= stale),
    }


@login_not_required
@never_cache
@require_GET
def ready(request):
    checks: dict = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"ok": True}
    except Exception as exc:  # noqa: BLE001 - any failure of the database is "not ready"
        checks["database"] = {"ok": False, "error": type(exc).__name__}
        return JsonResponse({"status": "fail", "checks": checks}, status=503)
    checks["worker"] = worker_state(timezone.now())
    ok = all(c["ok"] for c in checks.values())
    return JsonResponse({"status": "ok" if ok else "fail", "checks": checks}, status=200 if ok else 503)


def server_error(request):
    """handler500: a database that is down or restarting answers 503 with Retry-After, so clients and the load
    balancer know to try again (bench/reliability.py restarts PostgreSQL under load); anything else stays a 500.
    Both in Chinese, as JSON under /api/ and as a plain page elsewhere."""
    exc = sys.exc_info()[1]
    unavailable = isinstance(exc, OperationalError | InterfaceError)
    status = 503 if unavailable else 500
    message = (
        "服务暂时不可用（数据库连接中断），请稍后重试"
        if unavailable
        else "服务器内部错误，请稍后重试或联系管理员"
    )
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"message": message, "errors": {}}, status=status)
    else:
        response = HttpResponse(
            f"<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>{message}</title>"
            f"<p>{message}。</p></html>",
            status=status,
        )
    if unavailable:
        response["Retry-After"] = "5"
    return response
