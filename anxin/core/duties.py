"""The duty registry: every obligation the platform knows, as someone's task on 工作台.

A duty is *derived* from records already entered (a round's deadline, a care plan's next contact,
a case's investigation limit …); nothing is typed to create one and it disappears when the record
says the work is done. Each app lists how its duties are derived in ``anxin/<app>/duties.py``::

    from anxin.core import duties

    @duties.provider("care.contact_due")
    def contacts_due(user, now):
        for plan in CarePlan.objects.restrict(user, "change").filter(...):   # a fixed number of queries
            yield duties.Duty(kind="care.contact_due", title=..., due=..., url=..., owner=...)

Core imports no app: providers are found by module name when first asked for (``discover``).
A provider runs a fixed number of queries whatever the number of duties it yields, so 工作台
costs the same for a teacher with one duty and a bureau with a thousand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils import timezone

Provider = Callable[[object, dt.datetime], Iterable["Duty"]]

_PROVIDERS: dict[str, Provider] = {}
_DISCOVERED = False


class State:
    OVERDUE = "overdue"  # past its due time: shown first, in red
    DUE_SOON = "due_soon"  # due within DUE_SOON_DAYS
    OPEN = "open"  # due later, or no due time
    NEW = "new"  # something new to look at (a risk went up, a report arrived)


DUE_SOON_DAYS = 7
_ORDER = {State.OVERDUE: 0, State.DUE_SOON: 1, State.NEW: 2, State.OPEN: 3}


@dataclass(frozen=True)
class Duty:
    """One obligation. ``url`` is the one place where it is done; ``owner`` names the person
    or the post that owes it; ``ref`` ("app.model:pk") identifies the record behind it (for
    催办 and for de-duplication)."""

    kind: str
    title: str
    url: str
    owner: str = ""
    due: dt.datetime | dt.date | None = None
    detail: str = ""
    ref: str = ""
    new: bool = False
    school_id: int | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def due_at(self) -> dt.datetime | None:
        if self.due is None or isinstance(self.due, dt.datetime):
            return self.due
        # a date is due at the end of that day, local time
        return timezone.make_aware(dt.datetime.combine(self.due, dt.time(23, 59, 59)))

    def state(self, now: dt.datetime) -> str:
        due = self.due_at()
        if due is not None and due < now:
            return State.OVERDUE
        if self.new:
            return State.NEW
        if due is not None and due <= now + dt.timedelta(days=DUE_SOON_DAYS):
            return State.DUE_SOON
        return State.OPEN

    def sort_key(self, now: dt.datetime):
        due = self.due_at()
        return (_ORDER[self.state(now)], due is None, due or now, self.kind, self.ref)


def provider(kind: str) -> Callable[[Provider], Provider]:
    """Register ``fn(user, now) -> Iterable[Duty]`` as the source of duties of ``kind``."""

    def decorate(fn: Provider) -> Provider:
        if kind in _PROVIDERS and _PROVIDERS[kind] is not fn:
            raise ValueError(f"duty kind {kind!r} registered twice")
        _PROVIDERS[kind] = fn
        return fn

    return decorate


def discover() -> None:
    """Import every installed app's ``duties`` module once (each registers its providers)."""
    global _DISCOVERED
    if _DISCOVERED:
        return
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("duties")
    _DISCOVERED = True


def kinds() -> list[str]:
    discover()
    return sorted(_PROVIDERS)


def duties_for(user, now: dt.datetime | None = None, *, kinds: Iterable[str] | None = None) -> list[Duty]:
    """This user's duties, most urgent first: overdue, due this week, new, then the rest."""
    discover()
    now = now or timezone.now()
    wanted = set(kinds) if kinds is not None else None
    out: list[Duty] = []
    for kind, fn in _PROVIDERS.items():
        if wanted is not None and kind not in wanted:
            continue
        out.extend(fn(user, now))
    return sorted(out, key=lambda d: d.sort_key(now))
