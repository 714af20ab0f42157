"""The case counts behind the 事件 figures, from the rollups where they can stand for the
user's rows, else over the cases themselves — the same numbers either way (tested).

Rollups serve the county and school pages of one who reads the whole register of the county or
of their schools (``cases.permissions.plain_scope``) or who sees counts only, over whole months.
A grade's or class's page, a rule-narrowed reader (a class teacher) or a date range inside a
month counts the cases."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.apps import apps
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from anxin.cases.law.definitions import BEHAVIOUR_TYPES
from anxin.cases.models import CaseState
from anxin.cases.permissions import plain_scope
from anxin.core import clock
from anxin.dashboards import rollups
from anxin.dashboards.figures import Scope, Source


def late_q(prefix: str = "") -> Q:
    """迟报 as the register's filter counts it (cases.filters.late_q), from any relation."""
    p = prefix
    return Q(**{f"{p}report_late": True}) | Q(
        **{
            f"{p}report_required": True,
            f"{p}first_reported_at__isnull": True,
            f"{p}report_due_at__lt": clock.now(),
        }
    )


def overdue_unrecorded_q() -> Q:
    """The part of 迟报 no row change announces: required, unreported, past the deadline, not
    yet recorded late. Counted live (few rows, on the report-due index)."""
    return Q(
        report_required=True, first_reported_at__isnull=True, report_due_at__lt=clock.now(), report_late=False
    )


def rollup_for(scope: Scope, src: Source) -> rollups.Rollup | None:
    """The rollup standing for ``src``'s cases, or None (count them)."""
    if scope.grade is not None or scope.klass is not None:
        return None
    if src.linkable:
        plain = plain_scope(scope.user, src.register.action)
        if plain is None:
            return None
        county, schools, sealed = plain
        if county != scope.county_id:
            return None
        narrowed = None if schools is None else set(schools)
    else:  # counts only, over the dashboard's schools, sealed cases too (as figures.source)
        sealed = True
        narrowed = None if scope.dash_schools is None else set(scope.dash_schools)
    if scope.school is not None:
        narrowed = {scope.school.pk} if narrowed is None else narrowed & {scope.school.pk}
    elif scope.school_type:
        School = apps.get_model("org", "School")
        typed = set(
            School.objects.filter(county_id=scope.county_id, type=scope.school_type).values_list(
                "pk", flat=True
            )
        )
        narrowed = typed if narrowed is None else narrowed & typed
    schools = None if narrowed is None else frozenset(narrowed)
    if not src.dated:  # e.g. 迟报 now, whenever discovered: every month
        return rollups.reader(scope.county_id, schools, sealed, None, None)
    return rollups.reader(scope.county_id, schools, sealed, scope.date_from, scope.date_to)


class CaseCounts:
    """Counts of ``src``'s cases. With a rollup: its rows for clean buckets, plus the dirty
    buckets' cases counted live, plus the unrecorded 迟报 counted live."""

    def __init__(self, src: Source, rollup: rollups.Rollup | None):
        self.src = src
        self.rollup = rollup
        self._cache: dict = {}

    @property
    def live(self):
        """The cases to count one by one (all of them without a rollup; else the dirty buckets'
        or None)."""
        if self.rollup is None:
            return self.src.qs
        q = self.rollup.live_q()
        return None if q is None else self.src.qs.filter(q)

    def by_school(self) -> dict[int, tuple[int, int, int]]:
        """{school: (cases, open, 迟报)}."""
        if "school" in self._cache:
            return self._cache["school"]
        out: dict = defaultdict(lambda: [0, 0, 0])
        open_q = ~Q(state=CaseState.CLOSED)
        if self.rollup is None:
            rows = self.src.qs.values("school_id").annotate(
                a=Count("pk"), b=Count("pk", filter=open_q), c=Count("pk", filter=late_q())
            )
            for r in rows.order_by():
                out[r["school_id"]] = [r["a"], r["b"], r["c"]]
        else:
            rolled = (
                self.rollup.counts()
                .values("school_id")
                .annotate(a=Sum("n"), b=Sum("n", filter=Q(open=True)), c=Sum("n", filter=Q(late=True)))
            )
            for r in rolled.order_by():
                _add(out[r["school_id"]], r)
            if self.live is not None:
                live = self.live.values("school_id").annotate(
                    a=Count("pk"), b=Count("pk", filter=open_q), c=Count("pk", filter=Q(report_late=True))
                )
                for r in live.order_by():
                    _add(out[r["school_id"]], r)
            for school, n in self.overdue_unrecorded().items():
                out[school][2] += n
        self._cache["school"] = {k: tuple(v) for k, v in out.items()}
        return self._cache["school"]

    def totals(self) -> tuple[int, int, int]:
        per = self.by_school().values()
        return tuple(sum(v[i] for v in per) for i in range(3))

    def months(self, first: dt.date) -> dict[dt.date, int]:
        out: dict = defaultdict(int)
        if self.rollup is not None:
            for r in (
                self.rollup.counts().filter(month__gte=first).values("month").annotate(t=Sum("n")).order_by()
            ):
                out[r["month"]] += r["t"]
        if self.live is not None:
            live = self.live.filter(discovered_at__date__gte=first)
            for r in (
                live.annotate(m=TruncMonth("discovered_at", tzinfo=clock.SHANGHAI))
                .values("m")
                .annotate(n=Count("pk"))
                .order_by()
            ):
                m = r["m"]
                out[clock.local_date(m).replace(day=1) if isinstance(m, dt.datetime) else m] += r["n"]
        return out

    def results(self) -> dict[str, int]:
        out: dict = defaultdict(int)
        if self.rollup is not None:
            for r in self.rollup.counts().values("result").annotate(t=Sum("n")).order_by():
                out[r["result"]] += r["t"]
        if self.live is not None:
            for r in self.live.values("result").annotate(n=Count("pk")).order_by():
                out[r["result"]] += r["n"]
        return out

    def types(self) -> dict[str, int]:
        out: dict = defaultdict(int)
        if self.rollup is not None:
            for r in self.rollup.types().values("behaviour").annotate(t=Sum("n")).order_by():
                out[r["behaviour"]] += r["t"]
        if self.live is not None:
            aggs = {
                code: Count("pk", filter=Q(behaviour_types__icontains=f'"{code}"'))
                for code, *_r in BEHAVIOUR_TYPES
            }
            for code, n in self.live.aggregate(**aggs).items():
                out[code] += n
        return out

    def report(self) -> dict[str, int]:
        """须报告 / 已首报 / 迟报 among the cases."""
        if self.rollup is None:
            return self.src.qs.filter(report_required=True).aggregate(
                n=Count("pk"), done=Count("first_reported_at"), late=Count("pk", filter=late_q())
            )
        got = (
            self.rollup.counts()
            .filter(required=True)
            .aggregate(t=Sum("n"), done=Sum("n", filter=Q(reported=True)), late=Sum("n", filter=Q(late=True)))
        )
        out = {"n": got["t"] or 0, "done": got["done"] or 0, "late": got["late"] or 0}
        if self.live is not None:
            live = self.live.filter(report_required=True).aggregate(
                n=Count("pk"), done=Count("first_reported_at"), late=Count("pk", filter=Q(report_late=True))
            )
            for k in out:
                out[k] += live[k]
        out["late"] += sum(self.overdue_unrecorded().values())
        return out

    def overdue_unrecorded(self) -> dict[int, int]:
        """{school: cases of :func:`overdue_unrecorded_q`} (one query, kept)."""
        if "overdue" not in self._cache:
            rows = self.src.qs.filter(overdue_unrecorded_q()).values("school_id").annotate(c=Count("pk"))
            self._cache["overdue"] = {r["school_id"]: r["c"] for r in rows.order_by()}
        return self._cache["overdue"]


def _add(acc: list, r: dict) -> None:
    acc[0] += r["a"] or 0
    acc[1] += r["b"] or 0
    acc[2] += r["c"] or 0


class RegionCounts:
    """The case counts of a region's counties (``cases``: their cases in the period). With a
    county rollup: its rows, minus the school rows of the dirty buckets they still hold, plus
    those buckets' cases counted live, plus the unrecorded 迟报 counted live; without one, the
    cases themselves. Keyed by county, never by school: a province has thousands."""

    def __init__(self, cases, rollup: rollups.RegionRollup | None):
        self.cases = cases
        self.rollup = rollup
        self._overdue: dict | None = None

    def _sum(self, group: str | None, sums: dict, counts: dict, *, types: bool = False) -> dict:
        """{group value: {name: n}}: ``sums`` (name → filter on the rollup rows, or None) over the
        rollup rows less the stale ones, ``counts`` (name → filter on the cases) over the live
        cases — all the cases without a rollup."""
        out: dict = defaultdict(lambda: defaultdict(int))

        def add(qs, aggs, sign):
            if qs is None:
                return
            rows = qs.values(group).annotate(**aggs) if group else [qs.aggregate(**aggs)]
            for r in rows.order_by() if group else rows:
                for name in aggs:
                    out[r[group] if group else None][name[2:]] += sign * (r[name] or 0)

        # the aggregates are named v_<name>: a name may be a field's ("n")
        live_aggs = {
            f"v_{name}": Count("pk", filter=q) if q is not None else Count("pk") for name, q in counts.items()
        }
        if self.rollup is None:
            add(self.cases, live_aggs, 1)
            return out
        sum_aggs = {
            f"v_{name}": Sum("n", filter=q) if q is not None else Sum("n") for name, q in sums.items()
        }
        add(self.rollup.types() if types else self.rollup.counts(), sum_aggs, 1)
        add(self.rollup.stale_types() if types else self.rollup.stale_counts(), sum_aggs, -1)
        live = self.rollup.live_q()
        if live is not None and counts:
            add(self.cases.filter(live), live_aggs, 1)
        return out

    def overdue(self) -> dict[int, int]:
        """{county: cases of :func:`overdue_unrecorded_q`} (one query, kept)."""
        if self._overdue is None:
            rows = self.cases.filter(overdue_unrecorded_q()).values("county_id").annotate(c=Count("pk"))
            self._overdue = {r["county_id"]: r["c"] for r in rows.order_by()}
        return self._overdue

    def by_county(self) -> dict[int, tuple[int, int, int]]:
        """{county: (cases, open, 迟报)}."""
        late = late_q() if self.rollup is None else Q(report_late=True)
        got = self._sum(
            "county_id",
            {"a": None, "b": Q(open=True), "c": Q(late=True)},
            {"a": None, "b": ~Q(state=CaseState.CLOSED), "c": late},
        )
        if self.rollup is not None:
            for county, n in self.overdue().items():
                got[county]["c"] += n
        return {k: (v["a"], v["b"], v["c"]) for k, v in got.items()}

    def months(self, first: dt.date) -> dict[dt.date, int]:
        out: dict = {}
        cases = self.cases
        if self.rollup is not None:
            out = {m: v["n"] for m, v in self._sum("month", {"n": None}, {}).items() if m >= first}
            live = self.rollup.live_q()
            if live is None:
                return out
            cases = cases.filter(live)
        for r in (
            cases.filter(discovered_at__date__gte=first)
            .annotate(m=TruncMonth("discovered_at", tzinfo=clock.SHANGHAI))
            .values("m")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            m = r["m"]
            m = clock.local_date(m).replace(day=1) if isinstance(m, dt.datetime) else m
            out[m] = out.get(m, 0) + r["n"]
        return out

    def results(self) -> dict[str, int]:
        return {k: v["n"] for k, v in self._sum("result", {"n": None}, {"n": None}).items()}

    def types(self) -> dict[str, int]:
        live = {code: Q(behaviour_types__icontains=f'"{code}"') for code, *_r in BEHAVIOUR_TYPES}
        if self.rollup is None:
            return dict(self._sum(None, {}, live)[None])
        got = {k: v["n"] for k, v in self._sum("behaviour", {"n": None}, {}, types=True).items()}
        q = self.rollup.live_q()
        if q is not None:
            for code, n in (
                self.cases.filter(q).aggregate(**{c: Count("pk", filter=f) for c, f in live.items()}).items()
            ):
                got[code] = got.get(code, 0) + n
        return got

    def report(self) -> dict[str, int]:
        """须报告 / 已首报 / 迟报 among the cases."""
        late = late_q() if self.rollup is None else Q(report_late=True)
        got = self._sum(
            None,
            {
                "n": Q(required=True),
                "done": Q(required=True, reported=True),
                "late": Q(required=True, late=True),
            },
            {
                "n": Q(report_required=True),
                "done": Q(report_required=True, first_reported_at__isnull=False),
                "late": Q(report_required=True) & late,
            },
        )[None]
        out = {"n": got["n"], "done": got["done"], "late": got["late"]}
        if self.rollup is not None:
            out["late"] += sum(self.overdue().values())
        return out
