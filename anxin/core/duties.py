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
_END_OF_DAY = dt.time(23, 59, 59)
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
    # who owes it: these people, or (when empty) whoever holds ``post`` (a Role value) in the
    # duty's school (the county's bureau when ``school_id`` is None)
    owner_ids: tuple[int, ...] = ()
    post: str = ""
    action: str = ""  # the button's words ("去排查"); "办理" when empty
    # within the same urgency, lower comes first: an emergency (0) before a legal time limit
    # (1: 首报, investigation) before a triage (2) before the rest (5)
    priority: int = 5
    # where the same duty of every school is seen together (a campaign task's board): an
    # overseer's line for it owed by several schools links there
    overview: str = field(default="", compare=False)

    def due_at(self) -> dt.datetime | None:
        # worked out once a duty (sorting and grouping ask several times; a bureau has hundreds)
        try:
            return self.__dict__["_due_at"]
        except KeyError:
            pass
        due = self.due
        if due is not None and not isinstance(due, dt.datetime):
            # a date is due at the end of that day, local time
            due = dt.datetime.combine(due, _END_OF_DAY, tzinfo=timezone.get_current_timezone())
        self.__dict__["_due_at"] = due  # (frozen: the field values never change)
        return due

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
        return (_ORDER[self.state(now)], self.priority, due is None, due or now, self.kind, self.ref)

    def is_mine(self, user) -> bool:
        """Does ``user`` owe this duty (in person or by holding its post)?"""
        if self.owner_ids:
            return user.pk in self.owner_ids
        if not self.post:
            return True
        from anxin.core import policy
        from anxin.core.roles import ROLE_SCOPE, ScopeLevel

        for m in policy.memberships(user):
            if m.role != self.post:
                continue
            if ROLE_SCOPE[m.role] == ScopeLevel.COUNTY or m.school_id == self.school_id:
                return True
        return False


@dataclass(frozen=True)
class Figure:
    """One figure a role is judged by (班主任: the class's screening %), linking to the list
    that shows exactly what it counts."""

    key: str
    label: str
    value: int | str
    url: str
    alert: bool = False  # bad news: shown in red
    note: str = ""


FigureProvider = Callable[[object, dt.datetime], Iterable[Figure]]
_FIGURES: dict[str, FigureProvider] = {}


def figure(key: str) -> Callable[[FigureProvider], FigureProvider]:
    """Register ``fn(user, now) -> Iterable[Figure]``: the figures one app contributes to
    工作台 (a fixed number of queries, like duty providers)."""

    def decorate(fn: FigureProvider) -> FigureProvider:
        if key in _FIGURES and _FIGURES[key] is not fn:
            raise ValueError(f"figure {key!r} registered twice")
        _FIGURES[key] = fn
        return fn

    return decorate


def figures_for(user, now: dt.datetime | None = None, *, cached: bool = False) -> list[Figure]:
    """Every app's figures for the user. ``cached`` (工作台 itself): each app's figures are
    kept for a minute per user and posts, and computed again at once when a row of that app
    changes (core.listing.cached_for_user), so 工作台 does not count the school's or county's
    cases on every visit."""
    discover()
    now = now or timezone.now()
    if not cached:
        return [f for fn in _FIGURES.values() for f in fn(user, now)]
    from anxin.core.listing import cached_for_user

    out: list[Figure] = []
    for key, fn in _FIGURES.items():
        app_label = fn.__module__.split(".")[1] if fn.__module__.startswith("anxin.") else key
        out.extend(cached_for_user(user, app_label, ("home-figures", key), lambda fn=fn: list(fn(user, now))))
    return out


# --- who oversees whom ---------------------------------------------------------------------------

# Roles that see, besides their own duties, the overdue duties of others in their scope
# (school leaders their staff's; the bureau the schools'), and roles that may press 催办.
OVERSEERS = frozenset({"principal", "safety_leader", "bureau_safety"})
CHASERS = frozenset({"principal", "bureau_safety"})


def oversees(user) -> bool:
    from anxin.core import policy

    return bool(policy.user_roles(user) & OVERSEERS)


def can_chase(user, duty: Duty, now: dt.datetime) -> bool:
    """催办: a principal on any overdue duty of someone else in the school; the bureau on an
    overdue duty a school owes (school-level: ``school_id`` set)."""
    from anxin.core import policy

    if duty.state(now) != State.OVERDUE or duty.is_mine(user):
        return False
    roles = policy.user_roles(user) & CHASERS
    if "bureau_safety" in roles and duty.school_id is not None:
        return True
    if "principal" in roles and duty.school_id is not None:
        return any(m.role == "principal" and m.school_id == duty.school_id for m in policy.memberships(user))
    return False


def last_seen(user) -> dt.datetime | None:
    """When the user last looked at 工作台 (None: never). Items after it are "new". Loaded
    once per request and kept on the user object."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_anxin_last_seen_home"):
        from anxin.core.models import HomeVisit

        user._anxin_last_seen_home = (
            HomeVisit.objects.filter(user_id=user.pk).values_list("seen_at", flat=True).first()
        )
    return user._anxin_last_seen_home


NEW_AT_MOST_DAYS = 14  # a first visit does not call a month-old report "new"


def new_since(user, now: dt.datetime | None = None) -> dt.datetime:
    """What happened after this moment is "new" to the user: their last look at 工作台, or a
    fortnight ago if that is later (for a provider listing many rows: worked out once)."""
    floor = (now or timezone.now()) - dt.timedelta(days=NEW_AT_MOST_DAYS)
    seen = last_seen(user)
    return max(seen, floor) if seen is not None else floor


def is_new(user, moment: dt.datetime | None, now: dt.datetime | None = None) -> bool:
    """Did this happen since the user last looked at 工作台 (and within the last fortnight)?"""
    return moment is not None and moment > new_since(user, now)


def mark_seen(user, now: dt.datetime | None = None) -> None:
    from anxin.core.models import HomeVisit

    now = now or timezone.now()
    if not HomeVisit.objects.filter(user_id=user.pk).update(seen_at=now):
        HomeVisit.objects.create(user_id=user.pk, seen_at=now)


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


def id_path(url_name: str) -> Callable[[int], str]:
    """``reverse(url_name, args=[pk])`` for many pks, reversed once: a provider may list a
    county's rows (the bureau's 待签收), and each reverse costs a resolver walk."""
    from django.urls import reverse

    marker = "987654321"
    head, tail = reverse(url_name, args=[int(marker)]).split(marker)
    return lambda pk: f"{head}{pk}{tail}"


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
