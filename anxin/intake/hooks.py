"""Where the apps above intake plug in: filled in their AppConfig.ready(), so intake imports none
of them (docs/architecture.md, "Registries")."""

from __future__ import annotations

from collections.abc import Callable

# How a report becomes a case: a callable answering the function that opens one (the cases app
# gives ``cases.services.open_case``, looked up at each call). Unset while no case module is
# installed: the report stays held in triage and the 立案 button is not shown.
_case_opener: Callable[[], Callable | None] | None = None


def provide_case_opener(provider: Callable[[], Callable | None]) -> None:
    global _case_opener
    _case_opener = provider


def case_opener() -> Callable | None:
    return _case_opener() if _case_opener is not None else None
