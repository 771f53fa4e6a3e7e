"""The site menu as data: each app declares its entries in its own ``navigation.py`` (found the way the admin
finds ``admin.py``), and ``base.html`` renders what the context processor ``menu`` picks for the user.

Core imports no app: an entry names its page by URL name, the roles that see it, an optional predicate for the
rest (a discipline department's clue list), and its place in the menu (``order``, ties kept in declaration
order). A role whose menu reads differently (the appeal list is 我的诉求 to an enterprise, 调度台 to the office)
gets an entry of its own.

An entry may name a ``group`` (诉求办理, 督查考评 …): the entries of one group that a user sees fold into one
drop-down at the place of the group's first entry, so an office's menu of twenty pages fits one row at 1366 px.
A group the user sees a single entry of stays a plain link.
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
    group: str = ""
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
    group: str = "",
) -> Entry:
    """Add an entry; registering the same (label, page, roles) again replaces it, so a re-import is harmless."""
    roles = frozenset(str(r) for r in roles)
    key = (label, url_name, roles)
    with _lock:
        seq = _entries[key].seq if key in _entries else len(_entries)
        entry = Entry(label, url_name, roles, order, when, css, group, seq)
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


def grouped(entries: list[Entry]) -> list[dict]:
    """The menu as rendered: a link per entry, except that the entries of a group (two or more) become one item
    ``{"group": label, "items": [links]}`` at the place of the group's first entry."""
    counts: dict[str, int] = {}
    for e in entries:
        if e.group:
            counts[e.group] = counts.get(e.group, 0) + 1
    out: list[dict] = []
    groups: dict[str, dict] = {}
    for e in entries:
        link = {"label": e.label, "url": reverse(e.url_name), "css": e.css}
        if e.group and counts[e.group] > 1:
            if e.group not in groups:
                groups[e.group] = {"group": e.group, "items": []}
                out.append(groups[e.group])
            groups[e.group]["items"].append(link)
        else:
            out.append(link)
    return out


def menu(request) -> dict:
    """Context processor: ``menu``, what the signed-in user sees: links and groups of links (``grouped``)."""
    user = getattr(request, "user", None)
    return {"menu": grouped(entries_for(user))}
