from django.urls import path

from qinqing.ops import health, metrics

urlpatterns = [
    path("healthz/live", health.live, name="healthz_live"),
    path("healthz/ready", health.ready, name="healthz_ready"),
    path("metrics", metrics.metrics, name="metrics"),
]
