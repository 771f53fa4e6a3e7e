"""gunicorn settings for qinqing (docs/deploy.md); used by deploy/systemd/qinqing-web.service."""

import multiprocessing
import os

# nginx on the same machine is the only client.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers, two per core plus one: requests are short and database-bound. Each worker holds ~270 MB
# (the word segmenter and the similar-appeal index), so on a small server set GUNICORN_WORKERS lower.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = 60  # an Excel export of a year of appeals takes a few seconds; nothing legitimate takes a minute
graceful_timeout = 30
max_requests = 2000  # recycle workers now and then (bounded memory growth)
max_requests_jitter = 200
# Load the application (and the word segmenter) once, then fork: faster start, shared memory pages.
preload_app = True
pythonpath = "src"
wsgi_app = "qinqing.wsgi:application"
# qinqing logs one line per request itself (QINQING_REQUEST_LOG, with the request id); gunicorn's own access
# log would say the same again. Errors go to the journal.
accesslog = None
errorlog = "-"
forwarded_allow_ips = "127.0.0.1,::1"


def child_exit(server, worker):
    """Prometheus multiprocess mode: drop a dead worker's live gauges (its counters stay summed)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
