"""The shape every state machine in qinqing takes: a short table of actions, each naming the states it starts
from, the state it leads to and the parties (relations of a user to the object) who may take it.

An app writes its table and a ``parties(obj, user)`` function; ``Machine`` answers the three questions every
surface asks: may this user do this now, and if not why (services, in Chinese), and which actions to offer
(templates and API). ``appeals/workflow.py`` is the model; extension requests, 督办 orders, rating contests and
problem clues follow it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from qinqing.core.errors import NotPermitted, TransitionNotAllowed


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: the state does not change
    parties: frozenset[str]


def table(actions: Iterable[Action]) -> dict[str, Action]:
    return {a.name: a for a in actions}


@dataclass(frozen=True)
class Machine:
    """A table with the way to read an object's state and a user's relations to it."""

    actions: dict[str, Action]
    parties: Callable[[Any, Any], set[str]]
    state: Callable[[Any], str] = lambda obj: obj.state
    state_label: Callable[[Any], str] = lambda obj: obj.get_state_display()

    def guard_failure(self, obj, name: str, user, found: set[str] | None = None) -> str | None:
        """Why `user` may not take action `name` on `obj` now, in Chinese; None when allowed."""
        action = self.actions[name]
        found = self.parties(obj, user) if found is None else found
        if not found & action.parties:
            return f"您无权执行“{action.label}”"
        if self.state(obj) not in action.sources:
            return f"当前状态为“{self.state_label(obj)}”，不能{action.label}"
        return None

    def check(self, obj, name: str, user) -> Action:
        """For services: the action, or the refusal (403 for who, 409 for when)."""
        action = self.actions[name]
        found = self.parties(obj, user)
        reason = self.guard_failure(obj, name, user, found)
        if reason is None:
            return action
        raise (NotPermitted if not found & action.parties else TransitionNotAllowed)(reason)

    def available(self, obj, user) -> list[Action]:
        found = self.parties(obj, user)
        return [a for name, a in self.actions.items() if self.guard_failure(obj, name, user, found) is None]
