"""Actions an app offers on another app's record page, without the record's app importing it.

The case page offers 举一反三 and 编写案例警示 from governance; a rectification offers 举一反三.
An app registers ``fn(user, obj) -> Action | None`` for a model label ("cases.BullyingCase") in
its ``AppConfig.ready()``; the page renders ``{% record_actions obj %}`` (anxin_actions), which
shows each action the user may take on that record now. A provider decides from the record and
the user's rights alone (no query beyond what ``policy`` has loaded for the request).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    label: str
    url: str


Provider = Callable[[object, object], "Action | None"]
_PROVIDERS: dict[str, list[Provider]] = {}


def register(model_label: str, fn: Provider) -> None:
    fns = _PROVIDERS.setdefault(model_label, [])
    if fn not in fns:
        fns.append(fn)


def for_record(user, obj) -> list[Action]:
    if obj is None or not getattr(user, "is_authenticated", False):
        return []
    label = obj._meta.label
    return [a for fn in _PROVIDERS.get(label, ()) if (a := fn(user, obj)) is not None]
