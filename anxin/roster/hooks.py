"""Where the feature apps plug into the student page (``roster.hub``): filled in their
AppConfig.ready(), so roster, a lower layer, imports none of them (docs/architecture.md).

- ``survey_labels(response) -> list[str]``: what a survey answer discloses (screening);
- ``risk_proposal(hub) -> Proposal | None``: the open risk → action proposal (care).

A hook nobody filled answers nothing: that part of the page is simply not shown."""

from __future__ import annotations

from collections.abc import Callable

_HOOKS: dict[str, Callable] = {}


def provide(name: str, fn: Callable) -> None:
    _HOOKS[name] = fn


def call(name: str, *args, default=None):
    fn = _HOOKS.get(name)
    return fn(*args) if fn is not None else default
