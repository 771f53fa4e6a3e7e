"""Structured logs (docs/deploy.md): one line per request, and a request id on every line logged while serving it.

``RequestLogMiddleware`` takes the caller's ``X-Request-ID`` (nginx sets one per request: its access log and
ours then name the same id) or makes one, answers it in ``X-Request-ID``, and logs to ``qinqing.request`` the
method, route (the URL pattern, e.g. ``/api/appeals/<str:number>``; the path only when none matched), status,
duration and the signed-in user's id. ``RequestIdFilter`` puts the id on every record of the same request, so an
error logged deep in a service can be found from the request that caused it.

``QINQING_LOG_FORMAT=json`` turns every line into one JSON object (python-json-logger); the default ``plain``
keeps ``make run``'s console readable."""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid

from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
log = logging.getLogger("qinqing.request")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


def _user_id(request: HttpRequest) -> int | None:
    """The user's id if this request already knew it; never loads a session just to log."""
    user = request.__dict__.get("user")
    if user is None:
        return None
    if getattr(user, "_wrapped", None) is empty:  # a lazy user nobody asked for
        return None
    return user.pk if getattr(user, "is_authenticated", False) else None


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        rid = given if VALID_ID.match(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        request.request_id = rid  # type: ignore[attr-defined]
        start = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            match = request.resolver_match
            route = "/" + match.route if match is not None else None
            log.info(
                "%s %s %s",
                request.method,
                route or request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "route": route,
                    "view": match.view_name if match is not None else None,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - start) * 1000, 1),
                    "user_id": _user_id(request),
                },
            )
            return response
        finally:
            request_id.reset(token)
