"""考评 (R-CMP-3): the year's anti-bullying record of each member of staff, read from what is
already recorded; the school's .xlsx; the 评优评先 gate with the principal's override."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from anxin.core import audit, clock, policy
from anxin.core.access import deny
from anxin.core.editing import form_errors
from anxin.core.xlsx import xlsx_response
from anxin.education import forms, periods, services
from anxin.education.evaluation import EXPORT_HEADERS, REASONS, export_rows, records
from anxin.education.models import EligibilityOverride
from anxin.education.views._common import pick_school, school_for

PERM = "education.eligibilityoverride.view"


def _year(request) -> int:
    raw = request.GET.get("year") or request.POST.get("year") or ""
    current = periods.year_of(clock.today())
    return int(raw) if raw.isdigit() and current - 5 <= int(raw) <= current else current


def _probe(school):
    return EligibilityOverride(county_id=school.county_id, school_id=school.pk)


@login_required
def evaluation(request):
    school = school_for(request, PERM)
    if school is None:
        return pick_school(request, PERM, _("年度防欺凌考评"))
    if not policy.allows(request.user, _probe(school), "view"):
        deny(request, PERM, "org.school", school.pk)
    year = _year(request)
    recs = list(records(school, year).values())
    if request.GET.get("format") == "xlsx":
        if not policy.allows(request.user, _probe(school), "export"):
            deny(request, "education.eligibilityoverride.export", "org.school", school.pk)
        name = f"防欺凌考评-{school.name}-{periods.year_label(year)}.xlsx"
        response = xlsx_response(name, [(periods.year_label(year), EXPORT_HEADERS, export_rows(recs))])
        audit.append("export", object_type="education.evaluation", school_id=school.pk, data={"year": year})
        return response
    audit.append("read", object_type="education.evaluation", school_id=school.pk, data={"year": year})
    current = periods.year_of(clock.today())
    return render(
        request,
        "education/evaluation.html",
        {
            "title": _("年度防欺凌考评"),
            "school": school,
            "recs": recs,
            "year": year,
            "year_label": periods.year_label(year),
            "years": [(y, periods.year_label(y)) for y in range(current, current - 3, -1)],
            "not_eligible": sum(1 for r in recs if not r.eligible),
            "reasons": REASONS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_person(request, school_pk, user_pk):
    from anxin.org.models import School

    school = School.objects.filter(pk=school_pk).first()
    if school is None or not policy.allows(request.user, _probe(school), "view"):
        deny(request, PERM, "org.school", school_pk)
    year = _year(request)
    rec = records(school, year, only=[int(user_pk)]).get(int(user_pk))
    if rec is None:
        raise Http404
    can_override = policy.allows(request.user, _probe(school), "change")
    form = forms.OverrideForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("withdraw") and rec.override is not None:
            try:
                services.withdraw_override(request.user, rec.override)
            except PermissionDenied:
                deny(request, "education.eligibilityoverride.change", "org.school", school.pk)
            messages.success(request, _("已撤销认定。"))
            return redirect(f"{request.path}?year={year}")
        if form.is_valid():
            try:
                services.override_eligibility(
                    request.user, school, rec.user, year, form.cleaned_data["reason"]
                )
            except PermissionDenied:
                deny(request, "education.eligibilityoverride.change", "org.school", school.pk)
            except ValidationError as e:
                form_errors(form, e)
            else:
                messages.success(request, _("已认定具备评优评先资格，理由已记录。"))
                return redirect(f"{request.path}?year={year}")
    audit.append(
        "read",
        object_type="education.evaluation",
        object_id=rec.user.pk,
        school_id=school.pk,
        data={"year": year},
    )
    return render(
        request,
        "education/evaluation_person.html",
        {
            "title": rec.name,
            "school": school,
            "rec": rec,
            "year": year,
            "year_label": periods.year_label(year),
            # a principal does not decide on their own record
            "form": form if can_override and rec.lapses and rec.user.pk != request.user.pk else None,
            "can_override": can_override,
            "back": True,
        },
    )


@login_required
def my_record(request):
    """Each member of staff reads their own record at each school they serve."""
    from anxin.education.coverage import school_staff
    from anxin.org.models import School

    year = _year(request)
    ids = policy.schools_for(request.user, "education.activity.checkin") or set()
    out = []
    for school in School.objects.filter(pk__in=ids).order_by("name"):
        if request.user.pk in school_staff([school.pk]).get(school.pk, {}):
            rec = records(school, year, only=[request.user.pk]).get(request.user.pk)
            if rec is not None:
                out.append((school, rec))
    if not out:
        deny(request, "education.activity.checkin")
    audit.append(
        "read",
        object_type="education.evaluation",
        object_id=request.user.pk,
        data={"year": year, "own": True},
    )
    return render(
        request,
        "education/my_record.html",
        {"title": _("我的防欺凌工作记录"), "items": out, "year_label": periods.year_label(year)},
    )
