"""Queries built and compiled to SQL once per process, run with each call's time values
(docs/decisions.md 21).

工作台 asks about twenty providers for their duties on every visit, and each builds a queryset
(filters, joins, the reader's scope) and compiles it to SQL: about a millisecond of Python a
query, more than most of them take to run. What those queries depend on is the code, the
reader's posts and grants, and the time of the request. ``rows(key, build, *times)`` builds
``build(*stand_ins)`` once for ``key`` (which must hold everything else ``build`` reads: the
user's id, posts and grants — :func:`reader_key` — and any option), with a stand-in value for
each time; it keeps the compiled statement, and each call runs that SQL with the stand-ins'
parameters replaced by the call's own times, through Django's own row conversion (model
instances, ``values_list`` tuples, encrypted fields, time zones). The statement is the same text
every time, so PostgreSQL prepares it too (config/settings.py).

Rules for ``build``: use the time values only as query values (never in Python: ``if now > …``,
``now.date()``, ``now - timedelta``: compute those first and pass them as further arguments);
never read the clock inside (``Membership.objects.active()`` reads today: pass the day,
``active(today)``); read nothing of the user or the data that ``key`` does not hold. A stand-in that does not reach
the SQL parameters is refused (``ValueError``), so a time used only in Python is caught the
first time the query is built.
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

MAX_ENTRIES = 4096  # a county's staff times the providers, many times over; never unbounded
_CACHE: OrderedDict[tuple, _Entry] = OrderedDict()
_LOCK = threading.Lock()


@dataclass(frozen=True)
class _Entry:
    queryset: object  # the queryset built with the stand-ins (cloned for each call)
    compiler: object  # its compiler after compiling: what Django reads to turn rows into objects
    sql: str
    params: tuple
    slots: tuple[tuple[int, int, Callable], ...]  # (parameter index, time index, adapter)


def _stand_in(i: int, value):
    if isinstance(value, dt.datetime):
        return dt.datetime(1901, 2, 3, 4, 5, 6, 123400 + i, tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.date(1901, 2, 3 + i)
    raise TypeError(f"sqlcache: a time value (date or datetime) expected, not {type(value).__name__}")


def _adapters(ops, value) -> list[Callable]:
    if isinstance(value, dt.datetime):
        return [lambda v: v, ops.adapt_datetimefield_value]
    return [lambda v: v, ops.adapt_datefield_value]


def reader_key(user) -> tuple:
    """What a duty query may read of its reader: the id, each post (role, county, school,
    class) and the schools of approved access grants."""
    posts = tuple(
        sorted(
            (m.role, m.county_id or 0, m.school_id or 0, m.klass_id or 0) for m in policy.memberships(user)
        )
    )
    granted = tuple(sorted(g.school_id for g in policy.grants(user)))
    return (user.pk, posts, granted)


def _compile(build, times) -> _Entry:
    if len(times) > 20:
        raise ValueError("sqlcache: at most 20 time values")
    marks = [_stand_in(i, v) for i, v in enumerate(times)]
    qs = build(*marks)
    connection = connections[qs.db]
    compiler = qs.query.get_compiler(using=qs.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # a condition that matches nothing whatever the times (pk__in=[])
        return _Entry(qs, compiler, "", (), ())
    slots = []
    found = set()
    for j, p in enumerate(params):
        for i, mark in enumerate(marks):
            for adapt in _adapters(connection.ops, mark):
                if p is not None and type(p) is type(adapt(mark)) and p == adapt(mark):
                    slots.append((j, i, adapt))
                    found.add(i)
                    break
    missing = set(range(len(marks))) - found
    if missing:
        raise ValueError(f"sqlcache: time value(s) {sorted(missing)} not among the query's parameters")
    if "1901-02-0" in sql:
        raise ValueError("sqlcache: a time value was written into the SQL text")
    return _Entry(qs, compiler, sql, tuple(params), tuple(slots))


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
        return []
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
