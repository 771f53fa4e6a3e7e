"""Writing the security audit log. Each record is written in the request's own transaction when there is one,
so a refused action leaves its failure record and a rolled-back one leaves none."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest

from qinqing.audit.models import AuditRecord

# The request being served, so records written from signals (admin changes, lock releases) still name the
# address and entry path. Set by ``AuditMiddleware``.
current_request: ContextVar[HttpRequest | None] = ContextVar("qinqing_audit_request", default=None)


class AuditMiddleware:
    """Holds the request for records written deeper down, and records every export a response carries."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        token = current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        filename = getattr(response, "qinqing_export", None)
        if filename and response.status_code == 200:
            record(
                AuditRecord.Action.EXPORT,
                request=request,
                user=getattr(request, "user", None),
                file=filename,
                query=request.GET.urlencode()[:500],
            )
        return response


def client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # Behind the documented nginx set-up REMOTE_ADDR is the proxy; axes reads the same header settings.
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    user: Any = None,
    username: str = "",
    outcome: str = AuditRecord.Outcome.SUCCESS,
    target: str = "",
    **detail: Any,
) -> AuditRecord:
    request = request if request is not None else current_request.get()
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    meta = request.META if request is not None else {}
    return AuditRecord.objects.create(
        action=action,
        outcome=outcome,
        actor=user,
        username=(user.get_username() if user is not None else username)[:150],
        role=getattr(user, "role", "") or "",
        ip_address=client_address(request),
        user_agent=str(meta.get("HTTP_USER_AGENT", ""))[:255],
        path=(request.path if request is not None else "")[:255],
        target=(target or target_of(detail))[:200],
        detail=detail,
    )


def target_of(detail: dict[str, Any]) -> str:
    """What a record is about, from its details: the appeal, clue, account or ``model#id`` it names."""
    for key in ("appeal", "clue", "account"):
        if detail.get(key):
            return str(detail[key])
    if detail.get("model"):
        return f"{detail['model']}#{detail.get('object_id', '')}"
    return ""
