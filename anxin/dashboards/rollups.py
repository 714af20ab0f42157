"""Keeping and reading the case rollups (models.CaseCount, CaseTypeCount, RollupDirty).

Keeping: a saved or deleted case or seal marks its bucket (school, month) dirty in the
changing transaction (:func:`mark`); after the commit a task recounts it (:func:`refresh`); each
night :func:`rebuild` recounts everything (what a bulk write outside the models might have
missed). Reading: :class:`Rollup` sums the rows of clean buckets and counts the dirty ones live
(:meth:`Rollup.live_q` names them), so what it returns equals a count over the cases at any
moment — a change shows in the figures at once, and in the rollup rows within seconds.

Only figures that do not depend on the clock are kept: a case unreported past its deadline
becomes 迟报 with no change to its row, so that part is counted live (few rows, indexed).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, Sum

from anxin.cases.law.definitions import BEHAVIOUR_TYPES
from anxin.cases.models import BullyingCase, CaseState
from anxin.cases.seal_models import CaseSeal
from anxin.core import clock
from anxin.dashboards.models import CaseCount, CaseTypeCount, RollupDirty

BEHAVIOURS = frozenset(code for code, *_r in BEHAVIOUR_TYPES)
MAX_DIRTY = 200  # more dirty buckets than this in one view: count it all live (the queue is behind)


def month_of(moment: dt.datetime) -> dt.date:
    return clock.local_date(moment).replace(day=1)


def next_month(day: dt.date) -> dt.date:
    """The first day of the month after ``day``'s."""
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _bounds(m: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(m, dt.time.min, tzinfo=clock.SHANGHAI)
    return start, dt.datetime.combine(next_month(m), dt.time.min, tzinfo=clock.SHANGHAI)


# --- keeping ------------------------------------------------------------------------------------


def mark(buckets) -> None:
    """Mark these buckets ((county_id, school_id, month), …) dirty in the current transaction,
    and recount them once it commits."""
    buckets = sorted(set(buckets))
    if not buckets:
        return
    table = connection.ops.quote_name(RollupDirty._meta.db_table)
    sql = (  # the table name is the model's own; the values are parameters
        f"INSERT INTO {table} (county_id, school_id, month, version) VALUES (%s, %s, %s, 1) "  # noqa: S608
        f"ON CONFLICT (school_id, month) DO UPDATE SET version = {table}.version + 1"
    )
    with connection.cursor() as cur:
        for county_id, school_id, month in buckets:
            cur.execute(sql, [county_id, school_id, month])
    from anxin.dashboards.tasks import refresh_task

    transaction.on_commit(lambda: refresh_task([(s, m.isoformat()) for _c, s, m in buckets]), robust=True)


def _sealed():
    return Exists(CaseSeal.objects.filter(case_id=OuterRef("pk"), unsealed_at__isnull=True))


def _rows(cases) -> tuple[list[CaseCount], list[CaseTypeCount]]:
    """Rollup rows for these cases (any number of buckets), counted in one pass."""
    counts: Counter = Counter()
    types: Counter = Counter()
    rows = (
        cases.annotate(_sealed=_sealed())
        .values_list(
            "county_id",
            "school_id",
            "discovered_at",
            "result",
            "state",
            "_sealed",
            "report_required",
            "first_reported_at",
            "report_late",
            "behaviour_types",
        )
        .order_by()
    )
    for county, school, discovered, result, state, sealed, required, reported, late, kinds in rows.iterator(
        chunk_size=5000
    ):
        month = month_of(discovered)
        counts[
            (
                county,
                school,
                month,
                result,
                state != CaseState.CLOSED,
                sealed,
                required,
                reported is not None,
                late,
            )
        ] += 1
        for code in set(kinds or ()) & BEHAVIOURS:
            types[(county, school, month, sealed, code)] += 1
    cc = [
        CaseCount(
            county_id=c,
            school_id=s,
            month=m,
            result=r,
            open=o,
            sealed=se,
            required=q,
            reported=rp,
            late=la,
            n=n,
        )
        for (c, s, m, r, o, se, q, rp, la), n in counts.items()
    ]
    tc = [
        CaseTypeCount(county_id=c, school_id=s, month=m, sealed=se, behaviour=b, n=n)
        for (c, s, m, se, b), n in types.items()
    ]
    return cc, tc


def refresh(school_id: int, month: dt.date) -> None:
    """Recount one bucket and clear its mark — unless a change marked it again meanwhile (its
    version moved on; the task that change queued recounts it)."""
    with transaction.atomic():
        version = RollupDirty.objects.filter(school_id=school_id, month=month).values_list(
            "version", flat=True
        )
        seen = version.first()
        start, end = _bounds(month)
        cc, tc = _rows(
            BullyingCase.objects.filter(school_id=school_id, discovered_at__gte=start, discovered_at__lt=end)
        )
        CaseCount.objects.filter(school_id=school_id, month=month).delete()
        CaseTypeCount.objects.filter(school_id=school_id, month=month).delete()
        CaseCount.objects.bulk_create(cc)
        CaseTypeCount.objects.bulk_create(tc)
        if seen is not None:
            RollupDirty.objects.filter(school_id=school_id, month=month, version__lte=seen).delete()


def rebuild(county_id: int | None = None) -> int:
    """Recount every bucket of a county (or of all counties) from the cases; returns the rows
    written. The nightly task runs it; after a bulk load, run ``manage.py rebuild_rollups``."""
    cases = BullyingCase.objects.all()
    rollups = [CaseCount.objects.all(), CaseTypeCount.objects.all(), RollupDirty.objects.all()]
    if county_id is not None:
        cases = cases.filter(county_id=county_id)
        rollups = [qs.filter(county_id=county_id) for qs in rollups]
    with transaction.atomic():
        # marks taken now are cleared with the rows they stand for; a change committed after
        # this transaction began marks its bucket again
        dirty = [
            (d["school_id"], d["month"], d["version"])
            for d in rollups[2].values("school_id", "month", "version")
        ]
        cc, tc = _rows(cases)
        rollups[0].delete()
        rollups[1].delete()
        CaseCount.objects.bulk_create(cc, batch_size=5000)
        CaseTypeCount.objects.bulk_create(tc, batch_size=5000)
        for school_id, month, version in dirty:
            RollupDirty.objects.filter(school_id=school_id, month=month, version__lte=version).delete()
    return len(cc) + len(tc)


# --- reading ------------------------------------------------------------------------------------


@dataclass
class Rollup:
    """The rollup rows standing for a set of cases: one county, all or some of its schools,
    whole months, sealed cases in or out. ``dirty`` are the buckets to count live instead."""

    county_id: int
    schools: frozenset[int] | None  # None: every school of the county
    sealed: bool
    month_from: dt.date | None
    month_to: dt.date | None  # inclusive (a first of month)
    dirty: list[tuple[int, dt.date]]

    def _filter(self, qs):
        qs = qs.filter(county_id=self.county_id)
        if self.schools is not None:
            qs = qs.filter(school_id__in=self.schools)
        if not self.sealed:
            qs = qs.filter(sealed=False)
        if self.month_from:
            qs = qs.filter(month__gte=self.month_from)
        if self.month_to:
            qs = qs.filter(month__lte=self.month_to)
        for school_id, month in self.dirty:
            qs = qs.exclude(school_id=school_id, month=month)
        return qs

    def counts(self):
        return self._filter(CaseCount.objects.all())

    def types(self):
        return self._filter(CaseTypeCount.objects.all())

    def live_q(self) -> Q | None:
        """The cases of the dirty buckets (to count live beside the rollup rows), or None."""
        if not self.dirty:
            return None
        q = Q(pk__in=[])
        for school_id, month in self.dirty:
            start, end = _bounds(month)
            q |= Q(school_id=school_id, discovered_at__gte=start, discovered_at__lt=end)
        return q

    @staticmethod
    def total(qs, field: str = "n", **filters) -> int:
        return qs.filter(**filters).aggregate(t=Sum(field))["t"] or 0


def reader(
    county_id: int,
    schools: frozenset[int] | None,
    sealed: bool,
    date_from: dt.date | None,
    date_to: dt.date | None,
) -> Rollup | None:
    """The rollup for these cases, or None when it cannot stand for them: a date range not on
    month boundaries, or more dirty buckets than :data:`MAX_DIRTY` (one query)."""
    if date_from is not None and date_from.day != 1:
        return None
    if date_to is not None and next_month(date_to) - dt.timedelta(days=1) != date_to:
        return None
    month_to = date_to.replace(day=1) if date_to else None
    dirty = RollupDirty.objects.filter(county_id=county_id)
    if schools is not None:
        dirty = dirty.filter(school_id__in=schools)
    if date_from:
        dirty = dirty.filter(month__gte=date_from)
    if month_to:
        dirty = dirty.filter(month__lte=month_to)
    found = list(dirty.values_list("school_id", "month")[: MAX_DIRTY + 1])
    if len(found) > MAX_DIRTY:
        return None
    return Rollup(county_id, schools, sealed, date_from, month_to, found)
