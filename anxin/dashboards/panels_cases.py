"""Figures of incident cases and reports (R-DASH-1): by month, type, determination and unit;
discovery → report time; untriaged reports by age. Each figure a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import statistics

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.utils.translation import gettext as _

from anxin.cases.law.definitions import BEHAVIOUR_TYPES, RESULTS
from anxin.cases.models import CaseParty, CaseState
from anxin.dashboards.case_counts import CaseCounts, late_q, rollup_for
from anxin.dashboards.figures import (
    Cell,
    Figure,
    Register,
    Row,
    Scope,
    Source,
    by_unit_figure,
    pct,
    source,
    unit_path,
)

CASES = Register(
    "cases:case_list",
    "cases.BullyingCase",
    "cases.bullyingcase.register",
    "register",
    frozenset(
        {"school", "school_type", "grade", "klass", "behaviour", "result", "late", "open", "state"}
        | {"report_required"}
        | {"discovered_from", "discovered_to"}
    ),
    dates=("discovered_from", "discovered_to"),
    date_field="discovered_at",
)
REPORTS = Register(
    "intake:inbox",
    "intake.Report",
    "intake.report.view",
    "view",
    frozenset({"state", "received_from", "received_to"}),
    dates=("received_from", "received_to"),
    date_field="created_at",
)


def party_in_unit(scope: Scope) -> Q | None:
    """Cases involving a student of the grade / class being looked at (as the register's
    grade / klass filters read it)."""
    if scope.klass is not None:
        parties = CaseParty.objects.filter(case=OuterRef("pk"), student__klass_id=scope.klass.pk)
    elif scope.grade is not None:
        parties = CaseParty.objects.filter(case=OuterRef("pk"), student__klass__grade_id=scope.grade.pk)
    else:
        return None
    return Q(Exists(parties))


def case_source(scope: Scope) -> Source:
    src = source(scope, CASES)
    q = party_in_unit(scope)
    if q is not None:
        src.qs = src.qs.filter(q)
    return src


def case_counts(scope: Scope, *, dated: bool = True) -> tuple[Source, CaseCounts]:
    """The cases of the page (within its date range, or ``dated=False``: whenever discovered)
    and their counts, made once per page: without a date range both are the same rows, so the
    事件 figures and 逾期事项's 事件迟报 share one reading of the rollups."""
    ranged = dated and bool(scope.date_from or scope.date_to)
    key = ("cases", ranged)
    if key not in scope._memo:
        if ranged:
            src = case_source(scope)
        else:
            src = source(scope, CASES, dated=False)
            q = party_in_unit(scope)
            if q is not None:
                src.qs = src.qs.filter(q)
        scope._memo[key] = (src, CaseCounts(src, rollup_for(scope, src)))
    return scope._memo[key]


def months(scope: Scope) -> list[dt.date]:
    end = scope.date_to or scope.today
    start = scope.date_from or (end.replace(day=1) - dt.timedelta(days=330)).replace(day=1)
    out, m = [], start.replace(day=1)
    while m <= end and len(out) < 36:
        out.append(m)
        m = (m + dt.timedelta(days=32)).replace(day=1)
    return out or [start.replace(day=1)]  # a range that starts after today: its first month


def by_month(scope: Scope, src: Source, counts: CaseCounts) -> Figure:
    month_list = months(scope)
    got = counts.months(month_list[0])
    rows = []
    for m in month_list:
        last = (m + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        lo = max(m, scope.date_from) if scope.date_from else m
        hi = min(last, scope.date_to) if scope.date_to else last
        n = got.get(m, 0)
        rows.append(
            Row(
                f"{m:%Y-%m}",
                [src.cell(n, discovered_from=lo.isoformat(), discovered_to=hi.isoformat())],
                key=f"{m:%Y-%m}",
            )
        )
    total = Row(scope.total_label, [src.cell(sum(got.get(m, 0) for m in month_list))])
    if scope.date_from is None:
        total.cells[0].url = (
            src.url(discovered_from=month_list[0].isoformat()) if total.cells[0].value else None
        )
    return Figure("cases_month", _("欺凌事件：按月"), [_("事件数")], rows, total, chart="line")


def by_type(scope: Scope, src: Source, counts: CaseCounts) -> Figure:
    got = counts.types()
    rows = [
        Row(str(label), [src.cell(got.get(code, 0), behaviour=code)], key=code)
        for code, label, *_r in BEHAVIOUR_TYPES
    ]
    total = Row(scope.total_label, [src.cell(counts.totals()[0])])
    return Figure(
        "cases_type",
        _("欺凌事件：按行为类型"),
        [_("事件数")],
        rows,
        total,
        chart="hbar",
        note=_("一件事件可有多种行为类型，各类之和可大于合计。"),
    )


def by_result(scope: Scope, src: Source, counts: CaseCounts) -> Figure:
    got = counts.results()
    rows = [
        Row(str(label), [src.cell(got.get(code, 0), result=code)], key=code) for code, label, *_r in RESULTS
    ]
    undecided = got.get("", 0)
    rows.append(Row(_("尚未认定"), [Cell(undecided)], key="none"))
    total = Row(scope.total_label, [src.cell(sum(got.values()))])
    return Figure("cases_result", _("欺凌事件：按认定结果"), [_("事件数")], rows, total, chart="pie")


def by_unit(scope: Scope, src: Source, counts: CaseCounts) -> Figure:
    columns = [(_("事件数"), {}, {}), (_("办理中"), {}, {"open": "true"}), (_("迟报"), {}, {"late": "true"})]
    totals = dict(enumerate(counts.totals()))
    per_unit: dict = {}
    path = unit_path(scope, "student")
    if scope.level == "county":
        per_unit = {school: dict(enumerate(abc)) for school, abc in counts.by_school().items()}
    elif path is not None:
        parties = CaseParty.objects.filter(case__in=src.qs.values("pk"), student__isnull=False)
        for r in (
            parties.values(path)
            .annotate(
                a=Count("case_id", distinct=True),
                b=Count("case_id", distinct=True, filter=~Q(case__state=CaseState.CLOSED)),
                c=Count("case_id", distinct=True, filter=late_q("case__")),
            )
            .order_by()
        ):
            per_unit[r[path]] = {0: r["a"], 1: r["b"], 2: r["c"]}
    titles = {"county": _("欺凌事件：各校"), "school": _("欺凌事件：各年级"), "grade": _("欺凌事件：各班")}
    fig = by_unit_figure(
        scope, src, "cases_unit", titles.get(scope.level, _("欺凌事件")), columns, per_unit, totals
    )
    if scope.level != "county":
        fig.note = _("按涉事学生所在年级、班级计；一件事件涉及几个班时各班都计入。")
    return fig


class _MedianSpan(Aggregate):
    """PostgreSQL's exact median (the mean of the middle two, as statistics.median) of an
    interval, computed in the database rather than by reading every case."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def _median_hours(qs) -> float | None:
    """Median hours from discovery to first report among ``qs``'s cases."""
    span = ExpressionWrapper(F("first_reported_at") - F("discovered_at"), output_field=DurationField())
    if connection.vendor == "postgresql":
        got = qs.aggregate(m=_MedianSpan(span))["m"]
        return None if got is None else got.total_seconds() / 3600
    spans = [(r - d).total_seconds() / 3600 for d, r in qs.values_list("discovered_at", "first_reported_at")]
    return statistics.median(spans) if spans else None


def report_time(scope: Scope, src: Source, counts: CaseCounts) -> Figure:
    """Discovery → first report to the bureau: median hours and the share reported late."""
    got = counts.report()
    median = _median_hours(src.qs.filter(report_required=True, first_reported_at__isnull=False).order_by())
    rows = [
        Row(_("须向教体局报告"), [src.cell(got["n"], report_required="true")], key="required"),
        Row(_("已首报"), [Cell(got["done"])], key="reported"),
        Row(_("迟报"), [src.cell(got["late"], late="true")], key="late"),
        Row(_("迟报率"), [Cell(None, text=pct(got["late"], got["n"]))], key="late_pct"),
        Row(
            _("发现至首报用时中位数（小时）"),
            [Cell(median, text="—" if median is None else f"{median:.1f}")],
            key="median_hours",
        ),
    ]
    return Figure("report_time", _("发现至报告用时"), [_("数值")], rows, None, chart=None)


def untriaged(scope: Scope) -> Figure:
    """Reports still waiting to be triaged (待受理), by how long they have waited."""
    src = source(scope, REPORTS, dated=False)
    today = scope.today
    bands = [
        (_("今天收到"), today, today),
        (_("1–2天"), today - dt.timedelta(days=2), today - dt.timedelta(days=1)),
        (_("3–6天"), today - dt.timedelta(days=6), today - dt.timedelta(days=3)),
        (_("7天以上"), None, today - dt.timedelta(days=7)),
    ]
    aggs = {}
    for i, (_l, lo, hi) in enumerate(bands):
        q = Q(created_at__date__lte=hi)
        if lo is not None:
            q &= Q(created_at__date__gte=lo)
        aggs[f"b{i}"] = Count("pk", filter=q)
    got = src.qs.filter(status="new").aggregate(n=Count("pk"), **aggs)
    rows = [
        Row(
            str(label),
            [
                src.cell(
                    got[f"b{i}"],
                    state="new",
                    received_from=lo.isoformat() if lo else None,
                    received_to=hi.isoformat(),
                )
            ],
            key=f"b{i}",
        )
        for i, (label, lo, hi) in enumerate(bands)
    ]
    total = Row(scope.total_label, [src.cell(got["n"], state="new")])
    return Figure("reports_untriaged", _("待受理的举报：按等待时间"), [_("件数")], rows, total, chart="bar")


def reports_by_unit(scope: Scope) -> Figure | None:
    if scope.level != "county":
        return None
    src = source(scope, REPORTS)
    columns = [(_("收到"), {}, {"state": "all"}), (_("待受理"), {}, {"state": "new"})]
    new = Q(status="new")
    t = src.qs.aggregate(a=Count("pk"), b=Count("pk", filter=new))
    counts = {
        r["school_id"]: {0: r["a"], 1: r["b"]}
        for r in src.qs.values("school_id").annotate(a=Count("pk"), b=Count("pk", filter=new)).order_by()
    }
    return by_unit_figure(
        scope, src, "reports_unit", _("举报受理：各校"), columns, counts, {0: t["a"], 1: t["b"]}
    )


def case_figures(scope: Scope) -> list[Figure]:
    src, counts = case_counts(scope)
    figs = [by_unit(scope, src, counts), by_month(scope, src, counts), by_type(scope, src, counts)]
    figs.append(by_result(scope, src, counts))
    figs.append(report_time(scope, src, counts))
    figs.append(untriaged(scope))
    extra = reports_by_unit(scope)
    if extra is not None:
        figs.append(extra)
    return figs
