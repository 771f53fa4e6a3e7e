"""Prometheus metrics at ``/metrics`` (docs/deploy.md).

Requests, responses and latency by view come from django-prometheus' two middlewares (first and last in
``MIDDLEWARE``). The background work is read from the database at scrape time by ``QueueCollector``: what is
waiting, how long the oldest ready job has waited, when the worker last finished anything, how long ago the
deadline sweep last succeeded, and how many jobs failed (notification deliveries by themselves), so the figures
are the same whichever gunicorn worker answers and need no process of their own.

Under gunicorn with several workers, set ``PROMETHEUS_MULTIPROC_DIR`` (deploy/gunicorn.conf.py): each worker
then writes its counters to files there and the scrape adds them up (prometheus_client's multiprocess mode).

Not public: answered only to an address in ``QINQING_METRICS_ALLOW`` (default: this machine) or to a request
carrying ``Authorization: Bearer <QINQING_METRICS_TOKEN>``; anyone else gets the site's 404, as for a missing
page. A request that came through the proxy (it carries X-Forwarded-For) is judged by the client's address the
proxy reports, never by the proxy's own loopback address."""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import math
import os
from collections.abc import Iterator

import prometheus_client
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks_db.models import DBTaskResult, get_date_max
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

SWEEP_TASK = "qinqing.supervision.tasks.sweep_deadlines"
DELIVERY_TASK = "qinqing.supervision.notify.deliver"


class QueueCollector(Collector):
    """Gauges of the job queue (django-tasks-db's table), computed when scraped."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        # Read everything first: a database that is down still leaves the request metrics to scrape.
        try:
            families = list(self._collect())
        except DatabaseError:
            families = []
        yield GaugeMetricFamily(
            "qinqing_database_up",
            "Whether the queue gauges could be read (1) or the database failed (0)",
            value=1 if families else 0,
        )
        yield from families

    def _collect(self) -> Iterator[GaugeMetricFamily]:
        now = timezone.now()
        ready = DBTaskResult.objects.ready()
        depth = ready.count()
        yield GaugeMetricFamily(
            "qinqing_queue_ready_jobs", "Jobs ready to run now (queue depth)", value=depth
        )
        waited = 0.0
        first = ready.order_by("enqueued_at").values_list("enqueued_at", "run_after").first()
        if first is not None:
            # A job due later (run_after) waits from when it became due, not from when it was enqueued.
            enqueued, run_after = first
            since = enqueued if run_after == get_date_max() else max(enqueued, run_after)
            waited = max(0.0, (now - since).total_seconds())
        yield GaugeMetricFamily(
            "qinqing_queue_oldest_ready_age_seconds",
            "How long the oldest ready job has waited (0 when none waits)",
            value=waited,
        )
        last = DBTaskResult.objects.exclude(finished_at=None).aggregate(at=Max("finished_at"))["at"]
        yield GaugeMetricFamily(
            "qinqing_worker_last_finished_age_seconds",
            "Seconds since the worker last finished a job (+Inf: never); the readiness check's heartbeat",
            value=_age(now, last),
        )
        swept = (
            DBTaskResult.objects.successful().filter(task_path=SWEEP_TASK).aggregate(at=Max("finished_at"))
        )
        yield GaugeMetricFamily(
            "qinqing_sweep_lag_seconds",
            "Seconds since the deadline sweep last succeeded (+Inf: never); it is scheduled every 5 minutes",
            value=_age(now, swept["at"]),
        )
        failed = GaugeMetricFamily(
            "qinqing_jobs_failed",
            "Failed jobs still kept in the queue table (pruned after 30 days), by task",
            labels=["task"],
        )
        deliveries = 0
        for row in DBTaskResult.objects.failed().values("task_path").annotate(n=Count("id")).order_by():
            failed.add_metric([row["task_path"]], row["n"])
            if row["task_path"] == DELIVERY_TASK:
                deliveries = row["n"]
        yield failed
        yield GaugeMetricFamily(
            "qinqing_notification_deliveries_failed",
            "Email/SMS delivery jobs that gave up after every attempt (kept 30 days)",
            value=deliveries,
        )


def _age(now: dt.datetime, then: dt.datetime | None) -> float:
    return math.inf if then is None else max(0.0, (now - then).total_seconds())


def client_address(request: HttpRequest) -> str | None:
    """The address to judge: REMOTE_ADDR, or when the request came through the proxy, the client it names."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if not forwarded:
        return request.META.get("REMOTE_ADDR")
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    proxies = getattr(settings, "QINQING_PROXY_COUNT", 0)
    if not proxies or len(hops) < proxies:
        return None  # forwarded by a proxy we were not told about: no address is trusted
    return hops[-proxies]


def allowed(request: HttpRequest) -> bool:
    token = settings.QINQING_METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].encode(), token.encode()):
        return True
    address = client_address(request)
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in settings.QINQING_METRICS_ALLOW)


def registry() -> prometheus_client.CollectorRegistry:
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        reg = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(reg)
    else:
        reg = prometheus_client.CollectorRegistry()
        reg.register(_ProcessMetrics())
    reg.register(QueueCollector())
    return reg


class _ProcessMetrics(Collector):
    """This process's own metrics (django-prometheus' counters and the Python/process collectors)."""

    def collect(self):
        yield from prometheus_client.REGISTRY.collect()


@login_not_required
@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        raise Http404
    return HttpResponse(
        prometheus_client.generate_latest(registry()), content_type=prometheus_client.CONTENT_TYPE_LATEST
    )
