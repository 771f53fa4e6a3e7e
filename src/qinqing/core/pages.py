"""The page side of the error layer: what the API's one exception handler does for JSON, for HTML.

A page calls one service through ``perform``: "not visible" becomes a 404 exactly like a missing object, any
other domain error becomes one message on the page (with its field errors), and nothing is half-saved because
every service is one transaction. Pages that redisplay a form put the errors on it with ``errors_to_form``.
"""

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest

from qinqing.core.errors import DomainError, NotVisible

T = TypeVar("T")


def error_text(exc: DomainError) -> str:
    """The message with its field errors, for a page that shows it as one line."""
    details = "；".join(
        dict.fromkeys(
            f"{exc.labels[field]}：{m}" if field in exc.labels else m
            for field, msgs in exc.errors.items()
            for m in msgs
        )
    )
    return f"{exc.message}：{details}" if details and details != exc.message else exc.message


def perform(request: HttpRequest, call: Callable[[], T], *, success: str | None = None) -> T | None:
    """Run `call` (one service); on a refusal show why and return None."""
    try:
        result = call()
    except NotVisible as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return None
    if success:
        messages.success(request, success)
    return result


def errors_to_form(form: forms.Form, exc: DomainError) -> None:
    """Field errors land on their fields; the rest (and a bare message) on the form as a whole."""
    if isinstance(exc, NotVisible):
        raise Http404(exc.message) from exc
    if not exc.errors:
        form.add_error(None, exc.message)
    for field, msgs in exc.errors.items():
        for msg in msgs:
            form.add_error(field if field in form.fields else None, msg)
