"""Campaign task evaluators: a task "evaluated from data" names one of these.

A campaign (the bureau's 专项治理行动) asks each school to do things in each phase. Some are
*evidenced* (a note and files); the rest the platform can tell from records already entered —
the phase's screening round at 100 %, the vulnerable register reviewed since the phase began, a
self-check submitted … Each app that owns such records lists its evaluators in
``anxin/<app>/evaluators.py``::

    from anxin.core import evaluators

    @evaluators.evaluator("screening.round_complete", _("本阶段排查轮次全部完成"))
    def round_complete(schools, window, params):
        done = {...}                                  # a fixed number of queries for all schools
        return {s.pk: evaluators.Outcome(s.pk in done, detail=...) for s in schools}

An evaluator answers for many schools at once (the county board asks for every school and task
in one go), in a fixed number of queries whatever the number of schools. ``window`` is the
phase's ``Window`` (its start and deadline); ``params`` the task's own settings (a count, a
percentage) as stored with the task. Core imports no app: evaluators are found by module name
when first asked for (``discover``), like duty providers (``core.duties``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Window:
    """The span a task is judged over: a phase's first and last day (both included)."""

    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class Outcome:
    """A school's standing on one task: done or not, and why in a few words ("3/4 个班已排查")."""

    done: bool
    detail: str = ""
    url: str = ""  # where the school does it (or sees what is missing); "" when nowhere
    progress: float | None = None  # 0..1 where a share makes sense


EvaluatorFn = Callable[[Sequence[object], Window, Mapping], Mapping[int, Outcome]]


@dataclass(frozen=True)
class Evaluator:
    key: str
    label: str  # the task's words as schools read them (lazy gettext)
    fn: EvaluatorFn = field(compare=False)
    # the params the task may set, with their defaults ({"min_count": 1}); shown on the task form
    params: Mapping = field(default_factory=dict, compare=False)
    help: str = ""

    def evaluate(
        self, schools: Sequence[object], window: Window, params: Mapping | None = None
    ) -> dict[int, Outcome]:
        merged = {**self.params, **(params or {})}
        got = dict(self.fn(schools, window, merged))
        # every school gets an answer: one the evaluator forgot has not done it
        return {s.pk: got.get(s.pk, Outcome(False)) for s in schools}


_EVALUATORS: dict[str, Evaluator] = {}
_DISCOVERED = False


def evaluator(
    key: str, label, *, params: Mapping | None = None, help: str = ""
) -> Callable[[EvaluatorFn], EvaluatorFn]:
    """Register ``fn(schools, window, params) -> {school_pk: Outcome}`` under ``key``."""

    def decorate(fn: EvaluatorFn) -> EvaluatorFn:
        if key in _EVALUATORS and _EVALUATORS[key].fn is not fn:
            raise ValueError(f"evaluator {key!r} registered twice")
        _EVALUATORS[key] = Evaluator(key=key, label=label, fn=fn, params=dict(params or {}), help=help)
        return fn

    return decorate


def discover() -> None:
    """Import every installed app's ``evaluators`` module once (each registers its own)."""
    global _DISCOVERED
    if _DISCOVERED:
        return
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("evaluators")
    _DISCOVERED = True


def get(key: str) -> Evaluator | None:
    discover()
    return _EVALUATORS.get(key)


def all_evaluators() -> list[Evaluator]:
    discover()
    return [_EVALUATORS[k] for k in sorted(_EVALUATORS)]


def choices() -> list[tuple[str, str]]:
    """(key, label) pairs for a select: which data a task may be judged by."""
    return [(e.key, str(e.label)) for e in all_evaluators()]
