"""Overdue obligations by kind and school (R-DASH-1 "open and overdue obligations"): each kind is
counted from its own register's rows with the register's own 逾期 rule, one grouped query per
kind, so each number links to the list of exactly those items. (工作台 duties are per person;
this is the same obligations seen by school.)"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from anxin.core import clock
from anxin.dashboards.figures import Cell, Figure, Register, Row, Scope, source, student_scope, units
from anxin.dashboards.panels_cases import case_counts, late_q
from anxin.dashboards.panels_screening import CARE

RECTIFICATIONS = Register(
    "screening:rectification_list",
    "screening.Rectification",
    "screening.rectification.view",
    "view",
    frozenset({"school", "status", "overdue"}),
)
TENDENCY = Register(
    "screening:tendency_list",
    "screening.TendencyEntry",
    "screening.tendencyentry.view",
    "view",
    frozenset({"klass", "status", "overdue"}),
)


def _kinds(scope: Scope) -> list[tuple[str, object, Q, dict, bool]]:
    """(label, source with its rows, the overdue rule, register params, identifying)."""
    today = clock.today()
    cases = case_counts(scope, dated=False)[0]  # overdue now, whenever discovered
    care = source(scope, CARE, dated=False)
    care.qs = student_scope(care.qs.filter(status="active"), scope, "student")
    tendency = source(scope, TENDENCY, dated=False)
    tendency.qs = student_scope(tendency.qs.filter(status="active"), scope, "student")
    rect = source(scope, RECTIFICATIONS, dated=False)
    kinds = [
        (_("事件迟报"), cases, late_q(), {"late": "true"}, False),
        (_("关爱联系逾期"), care, Q(next_due_on__lt=today), {"overdue": "true"}, True),
        (_("倾向复核逾期"), tendency, Q(review_due__lt=today), {"overdue": "true"}, True),
    ]
    if scope.level in ("county", "school"):  # problems belong to a school, not a class
        kinds.append(
            (_("问题整改逾期"), rect, Q(due_date__lt=today) & ~Q(status="done"), {"overdue": "true"}, False)
        )
    return kinds


def _late_by_school(scope: Scope) -> dict[int, int] | None:
    """事件迟报 per school from the rollups where they stand for the page's cases, else None."""
    _src, counts = case_counts(scope, dated=False)
    if counts.rollup is None:
        return None
    return {pk: late for pk, (_n, _open, late) in counts.by_school().items() if late}


def _counts(src, q, first: bool) -> dict[int, int]:
    """{school: rows overdue}; the first kind (事件迟报) from the rollups when they serve."""
    if first:
        rolled = _late_by_school(src.scope)
        if rolled is not None:
            return rolled
    return dict(src.qs.filter(q).values_list("school_id").annotate(n=Count("pk")).order_by())


def overdue(scope: Scope) -> Figure:
    kinds = _kinds(scope)
    if scope.level != "county":
        rows = []
        for i, (label, src, q, params, ident) in enumerate(kinds):
            rolled = _late_by_school(scope) if i == 0 else None
            n = sum(rolled.values()) if rolled is not None else src.qs.filter(q).count()
            extra = (
                {"klass": scope.klass.pk}
                if scope.klass is not None and "klass" in src.register.params
                else {}
            )
            rows.append(Row(str(label), [src.cell(n, ident, **params, **extra)], key=str(label)))
        return Figure("overdue", _("逾期事项：按类别"), [_("件数")], rows, None, chart="bar")
    _kind, unit_list = units(scope)
    counts: list[dict] = []
    for i, (_label, src, q, _p, _i) in enumerate(kinds):
        counts.append(_counts(src, q, i == 0))
    rows = []
    for pk, name in unit_list:
        cells = [
            _cell(src, counts[i].get(pk, 0), ident, school=pk, **params)
            for i, (_l, src, _q, params, ident) in enumerate(kinds)
        ]
        rows.append(Row(name, cells, key=str(pk), drill=scope.drill_url(school=pk)))
    total = Row(
        scope.total_label,
        [
            src.cell(sum(counts[i].values()), ident, **params)
            for i, (_l, src, _q, params, ident) in enumerate(kinds)
        ],
    )
    return Figure(
        "overdue",
        _("逾期事项：各校"),
        [str(k[0]) for k in kinds],
        rows,
        total,
        chart="hbar",
        chart_columns=len(kinds),
        unit_label=_("学校"),
        note=_("各类按其台账的逾期规则计；点数字打开列出这些事项的台账。"),
    )


def _cell(src, n, ident, **params) -> Cell:
    """A school's cell; registers without a school filter link only for one-school readers."""
    if "school" not in src.register.params:
        params.pop("school", None)
        cell = src.cell(n, ident, **params)
        cell.url = None  # the register cannot narrow to this school
        return cell
    return src.cell(n, ident, **params)


def duty_figures(scope: Scope) -> list[Figure]:
    return [overdue(scope)]
