"""Figures of screening, care and campaigns (R-DASH-1): screening coverage, vulnerable students
by category, risk levels, hazard points open and without cameras, care plans overdue, campaign
progress. Counts of students are identifying: small cells are suppressed for counts-only roles."""

from __future__ import annotations

import hashlib

from django.apps import apps
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from anxin.dashboards.figures import (
    Cell,
    Figure,
    Register,
    Row,
    Scope,
    by_unit_figure,
    pct,
    source,
    student_scope,
    unit_path,
)

CAMPAIGN_TTL = 120
LEVEL_COLORS = {"red": "#c0392b", "orange": "#e8833a", "yellow": "#d4a017", "green": "#2e9e6b"}

ROUNDS = Register(
    "screening:round_list",
    "screening.ScreeningRound",
    "screening.screeninground.view",
    "view",
    frozenset({"school", "status"}),
)
VULNERABLE = Register(
    "screening:vulnerable_list",
    "screening.VulnerabilityEntry",
    "screening.vulnerabilityentry.view",
    "view",
    frozenset({"klass", "category", "state"}),
)
RISK = Register(
    "screening:risk_list",
    "screening.RiskState",
    "screening.riskstate.view",
    "view",
    frozenset({"klass", "level"}),
)
HAZARDS = Register(
    "screening:hazard_list",
    "screening.HazardPoint",
    "screening.hazardpoint.view",
    "view",
    frozenset({"school", "status", "no_camera"}),
)
CARE = Register(
    "care:plan_list", "care.CarePlan", "care.careplan.view", "view", frozenset({"klass", "overdue", "status"})
)


def _grouped(scope: Scope, qs, student_path: str, aggs: dict) -> dict:
    """{unit_pk: {i: n}} at the next level down, one query; {} at the class level."""
    path = "school_id" if scope.level == "county" else unit_path(scope, student_path)
    if path is None:
        return {}
    out = {}
    for r in qs.values(path).annotate(**aggs).order_by():
        out[r[path]] = {i: r[f"c{i}"] for i in range(len(aggs))}
    return out


def coverage(scope: Scope) -> Figure | None:
    """Screening coverage (排查覆盖): rounds completed, by school (county level only)."""
    if scope.level != "county":
        return None
    src = source(scope, ROUNDS, dated=False)
    qs = src.qs
    if scope.date_from:
        qs = qs.filter(deadline__gte=scope.date_from)
    if scope.date_to:
        qs = qs.filter(opened_on__lte=scope.date_to)
    done = Q(status="completed")
    aggs = {"c0": Count("pk"), "c1": Count("pk", filter=done)}
    counts = _grouped(scope, qs, "", aggs)
    t = qs.aggregate(**aggs)
    columns = [(_("排查轮次"), {}, {}), (_("已完成"), {}, {"status": "completed"})]
    fig = by_unit_figure(
        scope, src, "screening_coverage", _("排查覆盖：各校"), columns, counts, {0: t["c0"], 1: t["c1"]}
    )
    covered = sum(1 for c in counts.values() if c.get(1))
    fig.note = _("完成至少一轮排查的学校：%(n)s / %(all)s（%(pct)s）") % {
        "n": covered,
        "all": len(fig.rows),
        "pct": pct(covered, len(fig.rows)),
    }
    return fig


def vulnerable(scope: Scope) -> Figure:
    """Students on the 弱势学生 register now, by category (a student in two categories counts in both)."""
    src = source(scope, VULNERABLE, dated=False)
    qs = student_scope(src.qs.filter(ended_on__isnull=True), scope, "student")
    Category = apps.get_model("screening", "VulnerabilityCategory")
    cats = list(
        Category.objects.filter(county_id=scope.county_id, active=True)
        .order_by("position", "id")
        .values_list("pk", "name")
    )
    got = {r["category_id"]: r["n"] for r in qs.values("category_id").annotate(n=Count("pk")).order_by()}
    extra = {"klass": scope.klass.pk} if scope.klass is not None else {}
    rows = [
        Row(name, [src.cell(got.get(pk, 0), True, category=pk, **extra)], key=str(pk)) for pk, name in cats
    ]
    total = Row(_("合计（人次）"), [src.cell(sum(got.values()), True, **extra)])
    return Figure(
        "vulnerable",
        _("弱势学生：按类别"),
        [_("人数")],
        rows,
        total,
        chart="hbar",
        counts_only=not src.linkable,
        note=_("一名学生可属多个类别，合计按人次计。"),
    )


def risk_levels(scope: Scope) -> list[Figure]:
    src = source(scope, RISK, dated=False)
    qs = student_scope(src.qs.filter(student__status="enrolled"), scope, "student")
    Level = apps.get_model("screening", "RiskState")._meta.get_field("level").choices
    levels = [(v, str(lbl)) for v, lbl in Level]
    got = {r["level"]: r["n"] for r in qs.values("level").annotate(n=Count("pk")).order_by()}
    extra = {"klass": scope.klass.pk} if scope.klass is not None else {}
    rows = [Row(lbl, [src.cell(got.get(v, 0), True, level=v, **extra)], key=v) for v, lbl in levels]
    figs = [
        Figure(
            "risk_levels",
            _("学生风险等级"),
            [_("人数")],
            rows,
            # the register lists red, orange and yellow unless a level is asked for
            Row(
                _("需关注（红、橙、黄）"),
                [src.cell(sum(n for v, n in got.items() if v != "green"), True, **extra)],
            ),
            chart="pie",
            counts_only=not src.linkable,
            colors=[LEVEL_COLORS.get(v, "#5b6b7f") for v, _l in levels],
        )
    ]
    if scope.level != "class":
        hot = [v for v, _l in levels[:2]]  # red and orange
        aggs = {f"c{i}": Count("pk", filter=Q(level=v)) for i, v in enumerate(hot)}
        counts = _grouped(scope, qs, "student", aggs)
        t = {f"c{i}": got.get(v, 0) for i, v in enumerate(hot)}  # the same rows as the levels' counts
        columns = [(lbl, {}, {"level": v}) for v, lbl in levels[:2]]
        figs.append(
            by_unit_figure(
                scope,
                src,
                "risk_unit",
                _("红、橙等级学生：分布"),
                columns,
                counts,
                {i: t[f"c{i}"] for i in range(len(hot))},
                identifying=True,
                chart_columns=2,
            )
        )
        figs[-1].colors = [LEVEL_COLORS.get(v, "#5b6b7f") for v in hot]
    return figs


def hazards(scope: Scope) -> Figure | None:
    if scope.level not in ("county", "school"):
        return None
    src = source(scope, HAZARDS, dated=False)
    Camera = apps.get_model("screening", "Camera")
    covered = Exists(Camera.covers.through.objects.filter(hazardpoint_id=OuterRef("pk")))
    qs = src.qs.filter(status="open")
    aggs = {"c0": Count("pk"), "c1": Count("pk", filter=~Q(covered))}
    t = qs.aggregate(**aggs)
    columns = [
        (_("待整改"), {}, {"status": "open"}),
        (_("其中无监控"), {}, {"status": "open", "no_camera": "true"}),
    ]
    if scope.level == "county":
        counts = _grouped(scope, qs, "", aggs)
        return by_unit_figure(
            scope,
            src,
            "hazards",
            _("隐患点：待整改与无监控"),
            columns,
            counts,
            {0: t["c0"], 1: t["c1"]},
            chart_columns=2,
        )
    rows = [Row(str(h), [src.cell(t[f"c{i}"], **p)], key=f"c{i}") for i, (h, _f, p) in enumerate(columns)]
    return Figure("hazards", _("隐患点：待整改与无监控"), [_("个数")], rows, None, chart="bar")


def care_overdue(scope: Scope) -> Figure:
    from anxin.core import clock

    src = source(scope, CARE, dated=False)
    qs = student_scope(src.qs.filter(status="active"), scope, "student")
    late = Q(next_due_on__lt=clock.today())
    aggs = {"c0": Count("pk"), "c1": Count("pk", filter=late)}
    t = qs.aggregate(**aggs)
    columns = [(_("在帮扶"), {}, {"status": "active"}), (_("联系逾期"), {}, {"overdue": "true"})]
    if scope.level == "class":
        extra = {"klass": scope.klass.pk}
        rows = [
            Row(str(h), [src.cell(t[f"c{i}"], True, **p, **extra)], key=f"c{i}")
            for i, (h, _f, p) in enumerate(columns)
        ]
        return Figure(
            "care", _("关爱帮扶计划"), [_("人数")], rows, None, chart="bar", counts_only=not src.linkable
        )
    counts = _grouped(scope, qs, "student", aggs)
    return by_unit_figure(
        scope,
        src,
        "care",
        _("关爱帮扶计划：在帮扶与联系逾期"),
        columns,
        counts,
        {0: t["c0"], 1: t["c1"]},
        identifying=True,
        chart_columns=2,
    )


def campaigns(scope: Scope) -> list[Figure]:
    """Each running campaign's completion by school (county) or the school's own tasks."""
    if scope.level not in ("county", "school"):
        return []
    from anxin.campaigns import progress

    schools = scope.schools()
    figs = []
    for campaign in progress.running_campaigns([scope.county_id], today=scope.today)[:3]:
        board = _board(progress, campaign, schools, scope.today)
        rows = [
            Row(
                name,
                [Cell(done), Cell(due), Cell(od), Cell(p, text=f"{p}%")],
                key=str(pk),
                drill=scope.drill_url(school=pk) if scope.level == "county" else None,
            )
            for pk, name, done, due, od, p in board
        ]
        done, due = sum(r[2] for r in board), sum(r[3] for r in board)
        od = sum(r[4] for r in board)
        total = Row(scope.total_label, [Cell(done), Cell(due), Cell(od), Cell(None, text=pct(done, due))])
        figs.append(
            Figure(
                f"campaign_{campaign.pk}",
                _("专项行动进度：%(t)s") % {"t": campaign.title},
                [_("已完成"), _("应完成"), _("已逾期"), _("完成率")],
                rows,
                total,
                chart="hbar",
                chart_columns=1,
            )
        )
    return figs


def _board(progress, campaign, schools, today) -> list[tuple]:
    """The campaign's board as plain rows, kept CAMPAIGN_TTL seconds: the evaluators read
    every school's records (a fixed ~20 queries); a campaign's progress moves by the day."""
    digest = hashlib.sha256(repr([s.pk for s in schools]).encode()).hexdigest()[:16]
    key = f"dash:camp:{campaign.pk}:{today}:{digest}"
    rows = cache.get(key)
    if rows is None:
        board = progress.evaluate(campaign, schools, today=today)
        rows = [(r.school.pk, r.school.name, r.done, r.due, r.overdue, r.pct) for r in board.rows]
        cache.set(key, rows, CAMPAIGN_TTL)
    return rows


def screening_figures(scope: Scope) -> list[Figure]:
    figs: list = []
    for f in (coverage(scope), vulnerable(scope), *risk_levels(scope), hazards(scope), care_overdue(scope)):
        if f is not None:
            figs.append(f)
    figs.extend(campaigns(scope))
    return figs
