"""The safety leader's 本周 (what is due, what changed level, what arrived this week) and the
hotspots: reports and survey answers by place (linked to the school's hazard points, so a place
with incidents and no camera stands out) and reports by weekday × time of day as a heat map."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.db.models.functions import ExtractIsoWeekDay
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from anxin.core import clock, duties, policy
from anxin.core.access import require
from anxin.dashboards.figures import Cell, Figure, Row, Scope, source
from anxin.dashboards.panels_cases import CASES, REPORTS
from anxin.dashboards.panels_screening import RISK
from anxin.dashboards.views import SCHOOL, build_scope

WEEKDAYS = [_l("周一"), _l("周二"), _l("周三"), _l("周四"), _l("周五"), _l("周六"), _l("周日")]


def week_start(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=today.weekday())


def week_figures(scope: Scope, now: dt.datetime) -> list[Figure]:
    """This week in one school: arrivals and level changes, each linked to its register."""
    monday = week_start(scope.today)
    scope.date_from, scope.date_to = monday, monday + dt.timedelta(days=6)
    reports = source(scope, REPORTS)
    cases = source(scope, CASES)
    r = reports.qs.aggregate(n=Count("pk"), new=Count("pk", filter=Q(status="new")))
    c = cases.qs.aggregate(n=Count("pk"))
    arrived = Figure(
        "week_arrived",
        _("本周新收"),
        [_("件数")],
        [
            Row(_("举报与关注"), [reports.cell(r["n"], state="all")], key="reports"),
            Row(_("其中待受理"), [reports.cell(r["new"], state="new")], key="reports_new"),
            Row(_("新登记的欺凌事件"), [cases.cell(c["n"])], key="cases"),
        ],
        chart=None,
    )
    risk = source(scope, RISK, dated=False)
    since = dt.datetime.combine(monday, dt.time.min, tzinfo=clock.SHANGHAI)
    Level = apps.get_model("screening", "RiskState")._meta.get_field("level").choices
    got = {
        x["level"]: x["n"]
        for x in risk.qs.filter(changed_at__gte=since, student__status="enrolled")
        .values("level")
        .annotate(n=Count("pk"))
        .order_by()
    }
    changed = Figure(
        "week_risk",
        _("本周风险等级有变化的学生（按现等级）"),
        [_("人数")],
        [
            Row(str(lbl), [risk.cell(got.get(v, 0), True, level=v, changed_this_week="true")], key=v)
            for v, lbl in Level
        ],
        # the register lists red, orange and yellow unless a level is asked for
        Row(
            _("需关注（红、橙、黄）"),
            [risk.cell(sum(n for v, n in got.items() if v != "green"), True, changed_this_week="true")],
        ),
        chart=None,
    )
    return [arrived, changed]


def due_this_week(user, now: dt.datetime) -> list:
    """The user's duties overdue or due by Sunday (core.duties), most urgent first."""
    end = week_start(clock.local_date(now)) + dt.timedelta(days=6)
    out = []
    for d in duties.duties_for(user, now):
        due = d.due
        if due is None:
            continue
        day = clock.local_date(due) if isinstance(due, dt.datetime) else due
        if day <= end:
            text = (
                f"{due.astimezone(clock.SHANGHAI):%m-%d %H:%M}"
                if isinstance(due, dt.datetime)
                else f"{due:%m-%d}"
            )
            out.append((d, day < clock.local_date(now), text))
    return out


@login_required
def week(request):
    require(request, "dashboards.week.view")
    schools = policy.schools_for(request.user, "dashboards.week.view") or set()
    School = apps.get_model("org", "School")
    school = School.objects.filter(pk__in=schools).order_by("pk").first()
    if school is None:
        raise Http404
    scope, _form = build_scope(request, school=school)
    now = clock.now()
    return render(
        request,
        "dashboards/week.html",
        {
            "title": _("本周"),
            "scope": scope,
            "school": school,
            "monday": week_start(scope.today),
            "due": due_this_week(request.user, now),
            "figs": week_figures(scope, now),
        },
    )


# --- hotspots ------------------------------------------------------------------------------------


def places_figure(scope: Scope) -> Figure:
    """Reports (by the place kind chosen) and survey answers (places named), by place kind."""
    from anxin.intake.data import Place

    reports = source(scope, REPORTS).qs
    SurveyResponse = apps.get_model("screening", "SurveyResponse")
    answers = SurveyResponse.objects.filter(county_id=scope.county_id)
    if scope.school is not None:
        answers = answers.filter(school_id=scope.school.pk)
    elif scope.dash_schools is not None:
        answers = answers.filter(school_id__in=scope.dash_schools)
    if scope.date_from:
        answers = answers.filter(created_at__date__gte=scope.date_from)
    if scope.date_to:
        answers = answers.filter(created_at__date__lte=scope.date_to)
    got = {x["place_kind"]: x["n"] for x in reports.values("place_kind").annotate(n=Count("pk")).order_by()}
    said = answers.aggregate(
        **{code: Count("pk", filter=Q(places__icontains=f'"{code}"')) for code, _l in Place.choices}
    )
    rows = [
        Row(str(lbl), [Cell(got.get(code, 0)), Cell(said[code])], key=code) for code, lbl in Place.choices
    ]
    rows.sort(key=lambda r: -(r.cells[0].value + r.cells[1].value))
    return Figure(
        "hot_places",
        _("热点地点：举报与问卷"),
        [_("举报"), _("问卷提及")],
        rows,
        Row(_("合计"), [Cell(sum(got.values())), Cell(None, text="—")]),
        chart="hbar",
        chart_columns=2,
    )


def spots_figure(scope: Scope) -> Figure:
    """The school's own places (hazard points) named in reports, with their cameras: a place
    with reports and no camera is marked."""
    HazardPoint = apps.get_model("screening", "HazardPoint")
    reports = source(scope, REPORTS).qs.filter(spot__isnull=False)
    counts = dict(reports.values_list("spot_id").annotate(n=Count("pk")).order_by())
    spots = (
        HazardPoint.objects.filter(pk__in=list(counts))
        .select_related("school")
        .annotate(cams=Count("cameras", filter=Q(cameras__working=True)))
        .order_by("school__name", "name")
    )
    rows = []
    for h in spots:
        label = h.name if scope.school is not None else f"{h.school.name} · {h.name}"
        url = (
            reverse("screening:hazard_detail", args=[h.pk]) if policy.allows(scope.user, h, "view") else None
        )
        rows.append(
            Row(
                label,
                [
                    Cell(counts[h.pk]),
                    Cell(h.cams, text=str(h.cams) if h.cams else _("无监控"), alert=not h.cams),
                    Cell(None, text=h.get_status_display()),
                ],
                key=str(h.pk),
                drill=url,
            )
        )
    rows.sort(key=lambda r: (r.cells[1].value > 0, -r.cells[0].value))
    return Figure(
        "hot_spots",
        _("学校地点（隐患点）的举报与监控"),
        [_("举报"), _("摄像头"), _("整改状态")],
        rows,
        None,
        chart=None,
    )


def heat_figure(scope: Scope) -> Figure:
    from anxin.intake.data import Period

    qs = source(scope, REPORTS).qs.filter(occurred_on__isnull=False).exclude(occurred_period="")
    got = {
        (x["wd"], x["occurred_period"]): x["n"]
        for x in qs.annotate(wd=ExtractIsoWeekDay("occurred_on"))
        .values("wd", "occurred_period")
        .annotate(n=Count("pk"))
        .order_by()
    }
    periods = [(c, str(lbl)) for c, lbl in Period.choices if c != "unsure"]
    rows = [
        Row(str(name), [Cell(got.get((i + 1, code), 0)) for code, _l in periods], key=str(i + 1))
        for i, name in enumerate(WEEKDAYS)
    ]
    return Figure("hot_heat", _("举报：星期 × 时段"), [lbl for _c, lbl in periods], rows, None, chart="heat")


HOUR_BANDS = [
    (0, 7, _l("0–7时")),
    (7, 12, _l("7–12时")),
    (12, 14, _l("12–14时")),
    (14, 17, _l("14–17时")),
    (17, 20, _l("17–20时")),
    (20, 24, _l("20–24时")),
]


def case_heat_figure(scope: Scope) -> Figure:
    """Incidents by weekday × hour of occurrence (local time), one query."""
    from django.db.models.functions import ExtractHour

    qs = source(scope, CASES).qs.filter(occurred_at__isnull=False)
    got = {
        (x["wd"], x["h"]): x["n"]
        for x in qs.annotate(
            wd=ExtractIsoWeekDay("occurred_at", tzinfo=clock.SHANGHAI),
            h=ExtractHour("occurred_at", tzinfo=clock.SHANGHAI),
        )
        .values("wd", "h")
        .annotate(n=Count("pk"))
        .order_by()
    }
    rows = []
    for i, name in enumerate(WEEKDAYS):
        cells = [
            Cell(sum(n for (wd, h), n in got.items() if wd == i + 1 and lo <= h < hi))
            for lo, hi, _l in HOUR_BANDS
        ]
        rows.append(Row(str(name), cells, key=str(i + 1)))
    return Figure(
        "hot_case_heat",
        _("欺凌事件：星期 × 发生时刻"),
        [str(lbl) for _lo, _hi, lbl in HOUR_BANDS],
        rows,
        None,
        chart="heat",
    )


def survey_times_figure(scope: Scope) -> Figure:
    """When students say it happens (the class survey's 常发生在什么时候, several allowed)."""
    SurveyResponse = apps.get_model("screening", "SurveyResponse")
    from anxin.screening.models.survey import TimeSlot

    answers = SurveyResponse.objects.filter(county_id=scope.county_id)
    if scope.school is not None:
        answers = answers.filter(school_id=scope.school.pk)
    elif scope.dash_schools is not None:
        answers = answers.filter(school_id__in=scope.dash_schools)
    got = answers.aggregate(
        _n=Count("pk"), **{c: Count("pk", filter=Q(times__icontains=f'"{c}"')) for c, _l in TimeSlot.choices}
    )
    rows = [Row(str(lbl), [Cell(got[c])], key=c) for c, lbl in TimeSlot.choices]
    return Figure(
        "hot_survey_times",
        _("问卷：常发生的时段"),
        [_("提及人数")],
        rows,
        Row(_("答卷数"), [Cell(got["_n"])]),
        chart="bar",
    )


@login_required
def hotspots(request):
    require(request, SCHOOL)
    school = None
    if request.GET.get("school"):
        from anxin.dashboards.views import _school_for

        try:
            school = _school_for(request, int(request.GET["school"]))
        except ValueError:
            raise Http404 from None
    elif policy.schools_for(request.user, SCHOOL) is not None:
        School = apps.get_model("org", "School")
        school = School.objects.filter(pk__in=policy.schools_for(request.user, SCHOOL)).order_by("pk").first()
    scope, form = build_scope(request, school=school)
    figs = [places_figure(scope), spots_figure(scope), heat_figure(scope), case_heat_figure(scope)]
    figs.append(survey_times_figure(scope))
    return render(
        request,
        "dashboards/hotspots.html",
        {
            "title": _("热点分析") + (f" · {school.name}" if school else ""),
            "scope": scope,
            "form": form,
            "figs": figs,
            "back": reverse("dashboards:school", args=[school.pk])
            if school
            else reverse("dashboards:county"),
        },
    )
