"""The site menu as data: each app declares its entries in its own ``navigation.py`` (found the way the admin
finds ``admin.py``), and ``base.html`` renders what the context processor ``menu`` picks for the user.

Core imports no app: an entry names its page by URL name, the roles that see it, an optional predicate for the
rest (a discipline department's clue list), and its place in the menu (``order``, ties kept in declaration
order). A role whose menu reads differently (the appeal list is 我的诉求 to an enterprise, 调度台 to the office)
gets an entry of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Entry:
    label: str
    url_name: str
    roles: frozenset[str]
    order: int
    when: Callable[[object], bool] | None = None
    css: str = ""
    seq: int = field(default=0, compare=False)

    def shown_to(self, user) -> bool:
        return user.role in self.roles and (self.when is None or self.when(user))


_entries: dict[tuple[str, str, frozenset[str]], Entry] = {}
_lock = threading.Lock()
_discovered = False


def register(
    label: str,
    url_name: str,
    *,
    roles: Iterable[str],
    order: int,
    when: Callable[[object], bool] | None = None,
    css: str = "",
) -> Entry:
    """Add an entry; registering the same (label, page, roles) again replaces it, so a re-import is harmless."""
    roles = frozenset(str(r) for r in roles)
    key = (label, url_name, roles)
    with _lock:
        seq = _entries[key].seq if key in _entries else len(_entries)
        entry = Entry(label, url_name, roles, order, when, css, seq)
        _entries[key] = entry
    return entry


def discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("navigation")
        _discovered = True


def entries_for(user) -> list[Entry]:
    discover()
    if not getattr(user, "is_authenticated", False):
        return []
    return sorted((e for e in _entries.values() if e.shown_to(user)), key=lambda e: (e.order, e.seq))


def menu(request) -> dict:
    """Context processor: ``menu``, the entries the signed-in user sees, each with its resolved ``url``."""
    user = getattr(request, "user", None)
    return {"menu": [{"label": e.label, "url": reverse(e.url_name), "css": e.css} for e in entries_for(user)]}
