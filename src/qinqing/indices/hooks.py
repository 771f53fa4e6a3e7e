"""What higher apps say about an indicator: the plan tasks meant to move it (``plans``), later anything else.

``indices`` sits below ``plans`` in the layer contract, so it cannot ask for tasks itself; ``plans`` registers a
function from its ``AppConfig.ready()``, and the indicator page lists what every registered function returns,
each function reading through its own selectors with the user (so a department sees only what it may).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Contribution:
    """One thing behind an indicator, as its indicator page shows it."""

    kind: str  # Chinese, e.g. "任务"
    label: str  # e.g. "1.2 压缩企业开办时间"
    url: str
    state: str  # Chinese status text, e.g. "如期推进"
    light: str = ""  # "green" / "yellow" / "red" / ""
    detail: str = ""  # e.g. the lead department, the evidence count


Source = Callable[[object, object], list[Contribution]]
_sources: list[Source] = []


def register_contributions(fn: Source) -> Source:
    """Register ``fn(user, indicator) -> list[Contribution]``; registering the same function twice is harmless."""
    if fn not in _sources:
        _sources.append(fn)
    return fn


def contributions(user, indicator) -> list[Contribution]:
    out: list[Contribution] = []
    for fn in _sources:
        out.extend(fn(user, indicator))
    return out
