"""Coverage (R-EDU-2): staff trained this school year per school and post type; classes and the
主题班会 they held this term. A county user sees every school in a table and opens one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from anxin.core import clock, policy
from anxin.core.access import require
from anxin.core.editing import form_errors
from anxin.education import forms, periods, services
from anxin.education.coverage import class_coverage, needed_by_county, staff_coverage
from anxin.education.views._common import schools

PERM = "education.activity.coverage"


def _spans():
    today = clock.today()
    year = periods.year_of(today)
    return year, periods.year_span(year), (periods.term_start(today), periods.term_end(today))


@login_required
def coverage(request):
    require(request, PERM)
    year, (y0, y1), (t0, t1) = _spans()
    all_schools = list(schools(request, PERM).only("id", "name", "county_id", "town"))
    wanted = request.GET.get("school")
    if len(all_schools) == 1 or (wanted and wanted.isdigit()):
        school = next((s for s in all_schools if str(s.pk) == (wanted or str(all_schools[0].pk))), None)
        if school is None:
            return render(request, "404.html", status=404)
        staff = staff_coverage([school], y0, y1)[school.pk]
        classes = class_coverage([school], t0, t1, needed_by_county([school.county_id]))[school.pk]
        return render(
            request,
            "education/coverage_school.html",
            {
                "title": _("培训与班会覆盖"),
                "school": school,
                "staff": staff,
                "classes": classes,
                "year": periods.year_label(year),
                "term": (t0, t1),
                "can_add": policy.allows(request.user, _probe(school), "change"),
                "many": len(all_schools) > 1,
            },
        )
    staff = staff_coverage(all_schools, y0, y1, names=False)
    classes = class_coverage(all_schools, t0, t1, needed_by_county({s.county_id for s in all_schools}))
    rows = [(s, staff[s.pk], classes[s.pk]) for s in all_schools]
    return render(
        request,
        "education/coverage_board.html",
        {
            "title": _("培训与班会覆盖"),
            "rows": rows,
            "year": periods.year_label(year),
            "term": (t0, t1),
            "can_set": policy.can(request.user, "education.educationsetting.change"),
        },
    )


def _probe(school):
    from anxin.education.models import Activity

    return Activity(county_id=school.county_id, school_id=school.pk)


@login_required
def settings_view(request):
    require(request, "education.educationsetting.change")
    county_id = request.user.county_id
    setting = services.setting_for(county_id)
    form = forms.SettingForm(
        request.POST or None,
        initial={
            "class_meetings_per_term": setting.class_meetings_per_term,
            "overdue_days": setting.overdue_days,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_setting(request.user, county_id, form.cleaned_data)
        except ValidationError as e:
            form_errors(form, e)
        else:
            messages.success(request, _("已保存设置。"))
            return redirect("education:coverage")
    return render(
        request,
        "education/activity_form.html",
        {"title": _("教育培训设置"), "form": form, "cancel": "/education/coverage/"},
    )
