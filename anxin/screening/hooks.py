"""Where the apps above screening plug in: filled in their AppConfig.ready(), so screening
imports none of them (docs/architecture.md, "Registries")."""

from __future__ import annotations

from collections.abc import Callable

# Where a 苗头 flagged on a monitoring duty log goes: a callable answering the function that
# raises a concern in the triage inbox (the intake app gives ``intake.services.raise_concern``,
# looked up at each call). Unset without intake: the safety leader is told directly.
_concern_sink: Callable[[], Callable | None] | None = None


def provide_concern_sink(provider: Callable[[], Callable | None]) -> None:
    global _concern_sink
    _concern_sink = provider


def concern_sink() -> Callable | None:
    return _concern_sink() if _concern_sink is not None else None
