"""排查与风险 overview and the de-identified counts for the county (LAW 19): figures by school
and class, never names."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from anxin.core import audit, policy
from anxin.core.access import require
from anxin.core.listing import current_school_id
from anxin.core.xlsx import xlsx_response
from anxin.screening import filters as f
from anxin.screening import risk_rules, services
from anxin.screening.models import (
    HazardPoint,
    Rectification,
    RiskState,
    ScreeningRound,
    TendencyEntry,
    VulnerabilityCategory,
    VulnerabilityEntry,
)
from anxin.screening.views._common import _export_name, _int, _level_rows, _schools

# --- overview ------------------------------------------------------------------------------------


@login_required
def home(request):
    """排查与风险 overview: figures in the user's scope, links to each register."""
    user = request.user
    perms = [
        "screening.screeninground.view",
        "screening.riskstate.view",
        "screening.counts.view",
        "screening.hazardpoint.view",
        "screening.dutylog.view",
        "screening.rectification.view",
    ]
    if not any(policy.can(user, p) for p in perms):
        require(request, perms[0])
    ctx = {"title": _("排查与风险")}
    if policy.can(user, "screening.screeninground.view"):
        rounds = ScreeningRound.objects.restrict(user).select_related("school")
        if current_school_id(request):
            rounds = rounds.filter(school_id=current_school_id(request))
        ctx["open_rounds"] = list(rounds.filter(status=ScreeningRound.Status.OPEN).order_by("deadline")[:5])
        my_classes = [m.klass for m in policy.memberships(user) if m.klass_id and m.role == "class_teacher"]
        ctx["my_classes"] = my_classes
    if policy.can(user, "screening.riskstate.view"):
        states = RiskState.objects.restrict(user).filter(student__status="enrolled")
        counts = dict.fromkeys(risk_rules.LEVELS, 0)
        for level, n in states.values("level").annotate(n=Count("id")).values_list("level", "n"):
            counts[level] = n
        ctx["levels"] = [
            (code, risk_rules.LEVEL_LABELS[code], counts[code]) for code in risk_rules.LEVELS[:3]
        ]
        ctx["changed_this_week"] = (
            states.filter(changed_at__gte=f.week_start()).exclude(level="green").count()
        )
    if policy.can(user, "screening.tendencyentry.view"):
        ctx["tendency"] = (
            TendencyEntry.objects.restrict(user).filter(status=TendencyEntry.Status.ACTIVE).count()
        )
    if policy.can(user, "screening.vulnerabilityentry.view"):
        ctx["vulnerable"] = (
            VulnerabilityEntry.objects.restrict(user)
            .filter(ended_on__isnull=True, student__status="enrolled")
            .values("student_id")
            .distinct()
            .count()
        )
    if policy.can(user, "screening.hazardpoint.view"):
        ctx["hazards_open"] = (
            HazardPoint.objects.restrict(user).exclude(status=HazardPoint.Status.ELIMINATED).count()
        )
    if policy.can(user, "screening.rectification.view"):
        ctx["rect_open"] = (
            Rectification.objects.restrict(user).exclude(status=Rectification.Status.DONE).count()
        )
    ctx["can"] = {
        p.split(".")[1]: policy.can(user, p)
        for p in (
            "screening.countyround.view",
            "screening.peersurvey.view",
            "screening.counts.view",
            "screening.camera.view",
            "screening.dutyshift.view",
            "screening.dutylog.view",
        )
    }
    return render(request, "screening/home.html", ctx)


# --- de-identified counts for the county (LAW 19) ------------------------------------------------


def _count_cells(row: dict, cats) -> None:
    row["cats"] = [(c.name, row["by_category"].get(c.pk, 0)) for c in cats]
    row["level_counts"] = [(code, label, row["levels"][code]) for code, label in _level_rows()]


@login_required
def counts(request):
    """Counts by school and category; drill down to a school. No names."""
    require(request, "screening.counts.view")
    schools = _schools(request, "screening.counts.view")
    page = Paginator(schools, settings.ANXIN_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    export = request.GET.get("format") == "xlsx"
    school_list = list(schools) if export else list(page.object_list)
    data = services.counts_by_school([s.pk for s in school_list])
    county_id = request.user.county_id
    cats = list(
        VulnerabilityCategory.objects.filter(county_id=county_id, active=True).order_by("position", "id")
    )
    rows = [{"school": s, **data[s.pk]} for s in school_list]
    for r in rows:
        _count_cells(r, cats)
    if export:
        require(request, "screening.counts.export")
        audit.append(
            "export", object_type="screening.counts", county_id=county_id, data={"schools": len(rows)}
        )
        header = [
            _("学校"),
            _("在读学生"),
            _("弱势学生"),
            *[c.name for c in cats],
            _("欺凌倾向"),
            *[_("%(l)s色") % {"l": lbl} for _c, lbl in _level_rows()],
            _("未消除隐患点"),
            _("未完成整改"),
        ]
        data_rows = (
            [
                r["school"].name,
                r["students"],
                r["vulnerable"],
                *[n for _c, n in r["cats"]],
                r["tendency"],
                *[n for _c, _l, n in r["level_counts"]],
                r["hazards_open"],
                r["rectifications_open"],
            ]
            for r in rows
        )
        return xlsx_response(_export_name(_("排查台账统计")), [(_("各校统计"), header, data_rows)])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "screening/counts.html",
        {
            "title": _("各校台账统计"),
            "rows": rows,
            "cats": cats,
            "page_obj": page,
            "query": query.urlencode(),
            "levels": _level_rows(),
            "can_export": policy.can(request.user, "screening.counts.export"),
        },
    )


@login_required
def counts_school(request, school_pk):
    require(request, "screening.counts.view")
    school = _schools(request, "screening.counts.view").filter(pk=_int(school_pk)).first()
    if school is None:
        raise Http404
    cats = list(
        VulnerabilityCategory.objects.filter(county_id=school.county_id, active=True).order_by(
            "position", "id"
        )
    )
    rows = services.counts_by_class(school.pk)
    for r in rows:
        _count_cells(r, cats)
    return render(
        request,
        "screening/counts_school.html",
        {
            "title": school.name,
            "school": school,
            "rows": rows,
            "cats": cats,
            "levels": _level_rows(),
            "can_names": policy.allows(
                request.user, VulnerabilityEntry(county_id=school.county_id, school_id=school.pk), "view"
            ),
        },
    )
