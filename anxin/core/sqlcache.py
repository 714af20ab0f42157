"""Queries built and compiled to SQL once per process, run with each call's values
(docs/decisions.md 21).

工作台 asks about twenty providers for their duties on every visit, and each builds a queryset
(filters, joins, the reader's scope) and compiles it to SQL: about a millisecond of Python a
query, more than most of them take to run. What those queries depend on is the code, the
reader's posts and grants, and the time of the request; the case page's lists depend on the
case's id alone. ``rows(key, build, *values)`` builds ``build(*stand_ins)`` for ``key`` (which
must hold everything else ``build`` reads: the user's id, posts and grants — :func:`reader_key`
— and any option), with a stand-in for each value (a date, an aware datetime or a record's id);
it keeps the compiled statement, and each call runs that SQL with the stand-ins' parameters
replaced by the call's own values, through Django's own row conversion (model instances,
``values_list`` tuples, encrypted fields, time zones). The statement is the same text every
time, so PostgreSQL prepares it too (config/settings.py).

Rules for ``build``: use the values only as query values (never in Python: ``if now > …``,
``now.date()``, ``now - timedelta``: compute those first and pass them as further values);
never read the clock inside (``Membership.objects.active()`` reads today: pass the day,
``active(today)``); read nothing of the user or the data that ``key`` does not hold. The query
is built twice, with two sets of stand-ins, and refused (``ValueError``) unless the SQL is the
same and the parameters differ only where a stand-in sits: a value used in Python, or worked
out inside the build, is caught the first time.
"""

from __future__ import annotations

import copy
import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections

from anxin.core import policy

# about 20 KiB an entry (the queryset and its compiler): some 40 MB a process at most; a
# county's active staff times the providers fit, and the least recently used go first
MAX_ENTRIES = 2048
_CACHE: OrderedDict[tuple, _Entry] = OrderedDict()
_LOCK = threading.Lock()
_YEARS = (1901, 1902)  # the two sets of stand-ins: no real duty is dated in them


@dataclass(frozen=True)
class _Entry:
    queryset: object  # the queryset built with the stand-ins (cloned for each call)
    compiler: object  # its compiler after compiling: what Django reads to turn rows into objects
    sql: str
    params: tuple
    slots: tuple[tuple[int, int, Callable], ...]  # (parameter index, time index, adapter)


# record ids (the case page's lists: ``filter(case_id=…)``) stand in as ids no table reaches
_IDS = {1901: 900_000_001, 1902: 900_000_101}


def _stand_in(year: int, i: int, value):
    """The ``i``-th stand-in of a set: a datetime and a date never fall on the same day."""
    if isinstance(value, int) and not isinstance(value, bool):
        return _IDS[year] + i
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:  # Django would read it in the project's zone; the slot would not
            raise TypeError("sqlcache: an aware datetime expected (timezone.now()), not a naive one")
        return dt.datetime(year, 3, 1 + i, 4, 5, 6, 123400 + i, tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.date(year, 5, 1 + i)
    raise TypeError(f"sqlcache: a date, datetime or id expected, not {type(value).__name__}")


def _adapters(ops, value) -> list[Callable]:
    if isinstance(value, int):
        return [lambda v: v]
    if isinstance(value, dt.datetime):
        return [lambda v: v, ops.adapt_datetimefield_value]
    return [lambda v: v, ops.adapt_datefield_value]


def reader_key(user) -> tuple:
    """What a duty query may read of its reader: the id, each post (role, county, school,
    class) and the schools of approved access grants. Worked out once a request (工作台 asks
    for it some twenty times), kept with the posts: ``policy.forget`` drops it with them."""
    store = policy.derived(user, "sqlcache.reader_key")
    if "key" not in store:
        store["key"] = _reader_key(user)
    return store["key"]


def _reader_key(user) -> tuple:
    posts = tuple(
        sorted(
            (m.role, m.county_id or 0, m.school_id or 0, m.klass_id or 0) for m in policy.memberships(user)
        )
    )
    granted = tuple(sorted(g.school_id for g in policy.grants(user)))
    return (user.pk, posts, granted)


def _compiled(build, times, year: int):
    marks = [_stand_in(year, i, v) for i, v in enumerate(times)]
    qs = build(*marks)
    compiler = qs.query.get_compiler(using=qs.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # a condition that matches nothing whatever the times (pk__in=[])
        sql, params = "", ()
    return qs, compiler, sql, tuple(params), marks


def _slots(ops, params, marks) -> dict[int, tuple[int, Callable]]:
    """Where each stand-in sits among the parameters: {parameter index: (time index, adapter)}."""
    out = {}
    for j, p in enumerate(params):
        for i, mark in enumerate(marks):
            hit = next(
                (
                    a
                    for a in _adapters(ops, mark)
                    if p is not None and type(p) is type(a(mark)) and p == a(mark)
                ),
                None,
            )
            if hit is not None:
                out[j] = (i, hit)
                break
    return out


def _compile(build, times) -> _Entry:
    """Build and compile the query twice, with two sets of stand-ins: the SQL must be the same
    text and the parameters differ only where a stand-in sits, each stand-in somewhere. So a
    value worked out from a time inside ``build`` (``now - timedelta(…)``, ``now.date()``), a
    time that decided the query in Python, or one written into the SQL text is refused."""
    if len(times) > 20:
        raise ValueError("sqlcache: at most 20 time values")
    qs, compiler, sql, params, marks = _compiled(build, times, _YEARS[0])
    _qs2, _c2, sql2, params2, marks2 = _compiled(build, times, _YEARS[1])
    ops = connections[qs.db].ops
    if sql != sql2 or len(params) != len(params2):
        raise ValueError("sqlcache: the query's SQL depends on the time values")
    if not sql:
        return _Entry(qs, None, "", (), ())
    slots, slots2 = _slots(ops, params, marks), _slots(ops, params2, marks2)
    if {j: i for j, (i, _a) in slots.items()} != {j: i for j, (i, _a) in slots2.items()}:
        raise ValueError("sqlcache: the time values do not reach the same parameters in both builds")
    missing = set(range(len(marks))) - {i for i, _a in slots.values()}
    if missing:
        raise ValueError(f"sqlcache: time value(s) {sorted(missing)} not among the query's parameters")
    for j, (p, p2) in enumerate(zip(params, params2, strict=True)):
        # (a wrapped value, psycopg's Jsonb, compares by identity: compare what it wraps)
        if j not in slots and p != p2 and (type(p) is not type(p2) or repr(p) != repr(p2)):
            raise ValueError(f"sqlcache: parameter {j} is worked out from a time value inside the query")
    if any(str(y) in sql for y in (*_YEARS, *(str(n)[:6] for n in _IDS.values()))):
        raise ValueError("sqlcache: a time value was written into the SQL text")
    compiler.connection = None  # each call's copy takes the calling thread's own connection
    return _Entry(qs, compiler, sql, params, tuple((j, i, a) for j, (i, a) in slots.items()))


def rows(key: tuple, build: Callable, *times) -> list:
    """``list(build(*times))``, the query built and compiled once per process for ``key``."""
    connection = connections["default"]  # (the project has one database)
    full_key = (connection.vendor, connection.settings_dict["NAME"], *key, tuple(type(t) for t in times))
    with _LOCK:
        entry = _CACHE.get(full_key)
        if entry is not None:
            _CACHE.move_to_end(full_key)
    if entry is None:
        entry = _compile(build, times)
        with _LOCK:
            _CACHE[full_key] = entry
            while len(_CACHE) > MAX_ENTRIES:
                _CACHE.popitem(last=False)
    if not entry.sql:
        return []  # (checked too: the builds agreed that nothing can match)
    params = list(entry.params)
    for j, i, adapt in entry.slots:
        params[j] = adapt(times[i])
    qs = entry.queryset._chain()
    sql = entry.sql

    def frozen_compiler(using=None, connection=None, elide_empty=True):
        c = copy.copy(entry.compiler)
        c.connection = connection or connections[using or qs.db]
        c.as_sql = lambda *args, **kwargs: (sql, tuple(params))
        return c

    qs.query.get_compiler = frozen_compiler
    return list(qs)


def clear() -> None:
    with _LOCK:
        _CACHE.clear()
