"""Optional error reporting to Sentry (or a self-hosted Sentry / GlitchTip, which speak the same protocol).

Nothing is set up unless ``QINQING_SENTRY_DSN`` is set; settings.py calls ``setup`` then. No personal data
leaves the server on purpose: ``send_default_pii`` is off (no user names, addresses, cookies, request bodies),
sentry's own scrubber drops passwords, tokens and session cookies, and ``scrub`` masks every mainland mobile
number anywhere in the event (messages, exception values, local variables, breadcrumbs) before it is sent.
Performance tracing stays off: only errors are reported.

Imported by settings.py before Django is set up: this module must not import models."""

from __future__ import annotations

import logging
import re
from typing import Any

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration
from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

# 1 + 10 digits starting 3-9, not inside a longer number (a USCC or an id card keeps its own digits).
MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
MASK = "1**********"
DENYLIST = [*DEFAULT_DENYLIST, "contact_mobile", "mobile", "phone", "authorization", "idempotency_key"]


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return MOBILE.sub(MASK, value)
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_mask(v) for v in value)
    return value


def scrub(event: dict, hint: dict) -> dict:
    """before_send: mobile numbers masked everywhere in the event."""
    return _mask(event)


def options(dsn: str, *, environment: str, release: str | None) -> dict[str, Any]:
    return {
        "dsn": dsn,
        "environment": environment,
        "release": release,
        "send_default_pii": False,
        "event_scrubber": EventScrubber(denylist=DENYLIST, recursive=True),
        "before_send": scrub,
        "before_breadcrumb": lambda crumb, hint: _mask(crumb),
        "traces_sample_rate": 0.0,
        "max_request_body_size": "never",
        "include_local_variables": True,
        "integrations": [DjangoIntegration(), LoggingIntegration(event_level=logging.ERROR)],
    }


def setup(dsn: str, *, environment: str = "production", release: str | None = None, **extra: Any) -> None:
    sentry_sdk.init(**options(dsn, environment=environment, release=release), **extra)
