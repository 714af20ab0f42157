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

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q

from anxin.cases.law.definitions import BEHAVIOUR_TYPES
from anxin.cases.models import BullyingCase, CaseState
from anxin.cases.seal_models import CaseSeal
from anxin.core import clock
from anxin.dashboards.models import CaseCount, CaseTypeCount, CountyCaseCount, CountyTypeCount, RollupDirty

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
    and recount them once it commits. A mark is a row of its own (no lock is taken, no two
    writers wait on each other); it becomes visible with the change it stands for."""
    buckets = sorted(set(buckets))
    if not buckets:
        return
    RollupDirty.objects.bulk_create([RollupDirty(county_id=c, school_id=s, month=m) for c, s, m in buckets])
    from anxin.dashboards.tasks import refresh_task

    transaction.on_commit(lambda: refresh_task([(s, m.isoformat()) for _c, s, m in buckets]), robust=True)


ROLLUP_LOCK = 4120  # the first key of the rollups' advisory locks (the second: the county)


def _lock_county(county_id: int) -> None:
    """Recounts in a county (and its rebuilds) take turns, as each rewrites the county's rows of
    the month: a transaction-scoped advisory lock per county on PostgreSQL (SQLite has one writer
    at a time). Not a row lock: the case services lock the case's county row (select_for_update
    with select_related), so a lock on it would hold every case action in the county."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ROLLUP_LOCK, int(county_id)])


COUNT_KEYS = ("result", "open", "sealed", "required", "reported", "late")
TYPE_KEYS = ("sealed", "behaviour")


def _county_rows(cc, tc) -> tuple[list[CountyCaseCount], list[CountyTypeCount]]:
    """The county rows of these school rows: summed over the schools."""
    counts: Counter = Counter()
    for r in cc:
        counts[(r.county_id, r.month, *(getattr(r, k) for k in COUNT_KEYS))] += r.n
    types: Counter = Counter()
    for r in tc:
        types[(r.county_id, r.month, *(getattr(r, k) for k in TYPE_KEYS))] += r.n
    return (
        [
            CountyCaseCount(county_id=k[0], month=k[1], n=n, **dict(zip(COUNT_KEYS, k[2:], strict=True)))
            for k, n in counts.items()
        ],
        [
            CountyTypeCount(county_id=k[0], month=k[1], n=n, **dict(zip(TYPE_KEYS, k[2:], strict=True)))
            for k, n in types.items()
        ],
    )


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
        for code in {k for k in kinds if isinstance(k, str)} & BEHAVIOURS if isinstance(kinds, list) else ():
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
    """Recount one bucket and clear the marks it had when the recount began: a change that
    commits meanwhile leaves its own mark (and its own task)."""
    # the county of the marks (a mark carries its case's county)
    county_id = (
        RollupDirty.objects.filter(school_id=school_id, month=month)
        .values_list("county_id", flat=True)
        .first()
    )
    if county_id is None:
        return  # another task recounted it already
    with transaction.atomic():
        _lock_county(county_id)
        marks = list(
            RollupDirty.objects.filter(school_id=school_id, month=month).values_list("pk", flat=True)
        )
        if not marks:
            return  # another task recounted it already
        start, end = _bounds(month)
        cc, tc = _rows(
            BullyingCase.objects.filter(school_id=school_id, discovered_at__gte=start, discovered_at__lt=end)
        )
        CaseCount.objects.filter(school_id=school_id, month=month).delete()
        CaseTypeCount.objects.filter(school_id=school_id, month=month).delete()
        CaseCount.objects.bulk_create(cc)
        CaseTypeCount.objects.bulk_create(tc)
        # the county's rows of the month: the sum of its schools' rows, as they now stand
        kept = CaseCount.objects.filter(county_id=county_id, month=month)
        kept_types = CaseTypeCount.objects.filter(county_id=county_id, month=month)
        county_cc, county_tc = _county_rows(kept, kept_types)
        CountyCaseCount.objects.filter(county_id=county_id, month=month).delete()
        CountyTypeCount.objects.filter(county_id=county_id, month=month).delete()
        CountyCaseCount.objects.bulk_create(county_cc)
        CountyTypeCount.objects.bulk_create(county_tc)
        RollupDirty.objects.filter(pk__in=marks).delete()


def rebuild(county_id: int | None = None) -> int:
    """Recount every bucket of a county (or of each county in turn) from the cases; returns the
    rows written. The nightly task runs it; after a bulk load, run ``manage.py rebuild_rollups``."""
    if county_id is None:
        County = apps.get_model("org", "County")
        return sum(rebuild(pk) for pk in County.objects.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        _lock_county(county_id)
        marks = list(RollupDirty.objects.filter(county_id=county_id).values_list("pk", flat=True))
        cc, tc = _rows(BullyingCase.objects.filter(county_id=county_id))
        county_cc, county_tc = _county_rows(cc, tc)
        for model in (CaseCount, CaseTypeCount, CountyCaseCount, CountyTypeCount):
            model.objects.filter(county_id=county_id).delete()
        CaseCount.objects.bulk_create(cc, batch_size=5000)
        CaseTypeCount.objects.bulk_create(tc, batch_size=5000)
        CountyCaseCount.objects.bulk_create(county_cc, batch_size=5000)
        CountyTypeCount.objects.bulk_create(county_tc, batch_size=5000)
        RollupDirty.objects.filter(pk__in=marks).delete()
    return len(cc) + len(tc) + len(county_cc) + len(county_tc)


# --- reading ------------------------------------------------------------------------------------


@dataclass
class Rollup:
    """The rollup rows standing for a set of cases: one county (or a region's counties), all
    or some of its schools, whole months, sealed cases in or out. ``dirty`` are the buckets to
    count live instead."""

    county_id: int | frozenset[int]
    schools: frozenset[int] | None  # None: every school of the county
    sealed: bool
    month_from: dt.date | None
    month_to: dt.date | None  # inclusive (a first of month)
    dirty: list[tuple[int, dt.date]]

    def _filter(self, qs):
        qs = _in_county(qs, self.county_id)
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


def _in_county(qs, county_id: int | frozenset[int]):
    if isinstance(county_id, frozenset):
        return qs.filter(county_id__in=county_id)
    return qs.filter(county_id=county_id)


def reader(
    county_id: int | frozenset[int],
    schools: frozenset[int] | None,
    sealed: bool,
    date_from: dt.date | None,
    date_to: dt.date | None,
) -> Rollup | None:
    """The rollup for these cases, or None when it cannot stand for them: a date range not on
    month boundaries, or more dirty buckets than :data:`MAX_DIRTY` (one query). ``county_id``:
    one county, or a frozenset of counties (a city's or province's overview)."""
    if date_from is not None and date_from.day != 1:
        return None
    if date_to is not None and next_month(date_to) - dt.timedelta(days=1) != date_to:
        return None
    month_to = date_to.replace(day=1) if date_to else None
    dirty = _in_county(RollupDirty.objects.all(), county_id)
    if schools is not None:
        dirty = dirty.filter(school_id__in=schools)
    if date_from:
        dirty = dirty.filter(month__gte=date_from)
    if month_to:
        dirty = dirty.filter(month__lte=month_to)
    found = list(dirty.values_list("school_id", "month").distinct()[: MAX_DIRTY + 1])
    if len(found) > MAX_DIRTY:
        return None
    return Rollup(county_id, schools, sealed, date_from, month_to, found)


@dataclass
class RegionRollup:
    """The county rows standing for a region's cases over whole months (sealed cases in). The
    county rows of a month with a dirty bucket still hold that bucket's old school rows: a
    reader subtracts those (``stale_*``) and counts the bucket's cases live (``live_q``)."""

    counties: frozenset[int]
    month_from: dt.date | None
    month_to: dt.date | None  # inclusive (a first of month)
    dirty: list[tuple[int, dt.date]]  # (school, month)

    def _filter(self, qs):
        qs = qs.filter(county_id__in=self.counties)
        if self.month_from:
            qs = qs.filter(month__gte=self.month_from)
        if self.month_to:
            qs = qs.filter(month__lte=self.month_to)
        return qs

    def counts(self):
        return self._filter(CountyCaseCount.objects.all())

    def types(self):
        return self._filter(CountyTypeCount.objects.all())

    def _stale_q(self) -> Q:
        q = Q(pk__in=[])
        for school_id, month in self.dirty:
            q |= Q(school_id=school_id, month=month)
        return q

    def stale_counts(self):
        """The school rows of the dirty buckets (in the county rows, not yet recounted), or None."""
        return CaseCount.objects.filter(self._stale_q()) if self.dirty else None

    def stale_types(self):
        return CaseTypeCount.objects.filter(self._stale_q()) if self.dirty else None

    def live_q(self) -> Q | None:
        return Rollup(self.counties, None, True, None, None, self.dirty).live_q()


def region_reader(
    counties: frozenset[int], date_from: dt.date | None, date_to: dt.date | None
) -> RegionRollup | None:
    """The county rollup for a region's cases, or None when it cannot stand for them (as
    :func:`reader`: not whole months, or more than :data:`MAX_DIRTY` dirty buckets)."""
    plain = reader(counties, None, True, date_from, date_to)
    if plain is None:
        return None
    return RegionRollup(counties, plain.month_from, plain.month_to, plain.dirty)
