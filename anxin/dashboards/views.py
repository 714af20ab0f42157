"""The dashboards: county → school → grade → class, the safety leader's 本周, and the
statistics returns (.xlsx / .docx)."""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anxin.core import policy
from anxin.core.access import require
from anxin.dashboards import panels
from anxin.dashboards.figures import Scope

COUNTY = "dashboards.county.view"
SCHOOL = "dashboards.school.view"


class RangeForm(forms.Form):
    date_from = forms.DateField(
        label=gettext_lazy("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    school_type = forms.ChoiceField(label=gettext_lazy("学校类型"), required=False)

    def __init__(self, data, *, with_type: bool):
        data = {
            "date_from": data.get("from", ""),
            "date_to": data.get("to", ""),
            "school_type": data.get("type", ""),
        }
        super().__init__(data)
        SchoolType = apps.get_model("org", "School")._meta.get_field("type").choices
        self.fields["school_type"].choices = [("", _("全部"))] + list(SchoolType)
        if not with_type:
            del self.fields["school_type"]

    def clean(self):
        d = super().clean()
        if d.get("date_from") and d.get("date_to") and d["date_from"] > d["date_to"]:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"))
        return d


def build_scope(
    request, *, school=None, grade=None, klass=None, perm: str = SCHOOL
) -> tuple[Scope, RangeForm]:
    user = request.user
    form = RangeForm(request.GET, with_type=school is None)
    d = form.cleaned_data if form.is_valid() else {}
    scope = Scope(
        user=user,
        county_id=user.county_id,
        school=school,
        grade=grade,
        klass=klass,
        date_from=d.get("date_from"),
        date_to=d.get("date_to"),
        school_type=d.get("school_type") or "",
        dash_schools=policy.schools_for(user, perm),
    )
    return scope, form


def _school_for(request, pk):
    """The school if the user's dashboard covers it; 404 otherwise (existence not revealed)."""
    require(request, SCHOOL)
    School = apps.get_model("org", "School")
    schools = policy.schools_for(request.user, SCHOOL)
    school = School.objects.filter(pk=pk, county_id=request.user.county_id).first()
    if school is None or (schools is not None and school.pk not in schools):
        raise Http404
    return school


def _render(request, scope: Scope, form, title: str, crumbs: list, template="dashboards/dashboard.html"):
    sections = panels.sections(scope)
    query = scope.query()
    return render(
        request,
        template,
        {
            "title": title,
            "scope": scope,
            "form": form,
            "sections": sections,
            "crumbs": crumbs,
            "query": "&".join(f"{k}={v}" for k, v in query.items()),
            "can_export": scope.level == "county" and policy.can(request.user, "dashboards.returns.export"),
        },
    )


@login_required
def county(request):
    require(request, COUNTY)
    scope, form = build_scope(request, perm=COUNTY)
    return _render(request, scope, form, _("全县统计看板"), [])


@login_required
def school_home(request):
    """The school dashboard of one's own school; county staff start at the county."""
    require(request, SCHOOL)
    schools = policy.schools_for(request.user, SCHOOL)
    if schools is None:
        return county(request)
    if len(schools) > 1:  # a supervisor of several schools: the county page over them
        scope, form = build_scope(request, perm=SCHOOL)
        return _render(request, scope, form, _("所辖学校统计看板"), [])
    return school(request, min(schools))


def _county_crumb(request, scope):
    if policy.can(request.user, COUNTY):
        return [(_("全县"), reverse("dashboards:county"))]
    return []


@login_required
def school(request, pk):
    s = _school_for(request, pk)
    scope, form = build_scope(request, school=s)
    return _render(request, scope, form, _("%(s)s 统计看板") % {"s": s.name}, _county_crumb(request, scope))


@login_required
def grade(request, pk):
    Grade = apps.get_model("org", "Grade")
    g = Grade.objects.select_related("school").filter(pk=pk).first()
    if g is None:
        raise Http404
    s = _school_for(request, g.school_id)
    scope, form = build_scope(request, school=s, grade=g)
    crumbs = _county_crumb(request, scope) + [(s.name, scope.drill_url(school=s.pk))]
    return _render(request, scope, form, f"{s.name} · {g.name}", crumbs)


@login_required
def klass(request, pk):
    SchoolClass = apps.get_model("org", "SchoolClass")
    k = SchoolClass.objects.select_related("grade", "school").filter(pk=pk).first()
    if k is None:
        raise Http404
    s = _school_for(request, k.school_id)
    scope, form = build_scope(request, school=s, grade=k.grade, klass=k)
    crumbs = _county_crumb(request, scope) + [
        (s.name, scope.drill_url(school=s.pk)),
        (k.grade.name, scope.drill_url(grade=k.grade_id)),
    ]
    return _render(request, scope, form, f"{s.name} · {k.grade.name}{k.name}", crumbs)


def _region_overview(request, pk):
    from anxin.dashboards import region as overview

    area = overview.region_for(request.user, pk)
    form = overview.MonthForm(request.GET)
    date_from, date_to = form.period()
    return area, form, overview.Overview(area, date_from, date_to)


@login_required
def region(request, pk: int | None = None):
    """市、省概览 (dashboards.region): the user's city or province, or one of its cities."""
    from anxin.dashboards import region as overview

    area, form, ov = _region_overview(request, pk)
    crumbs = []
    if pk is not None and pk != policy.region_post(request.user).region_id:  # one of its cities
        crumbs = [(area.parent.name, reverse("dashboards:region") + ov.suffix)]
    export = reverse("dashboards:region_xlsx", args=[area.pk]) + ov.suffix
    return render(
        request,
        "dashboards/region.html",
        {
            "title": _("%(r)s概览") % {"r": area.name},
            "region": area,
            "form": form,
            "figs": overview.figures(ov),
            "crumbs": crumbs,
            "export_url": export,
        },
    )


@login_required
def region_xlsx(request, pk: int):
    """The overview's tables as .xlsx (one sheet per table, as the statistics returns)."""
    from django.utils import timezone

    from anxin.core import audit
    from anxin.core.xlsx import XLSX
    from anxin.dashboards import region as overview
    from anxin.dashboards.returns import attachment, workbook

    area, _form, ov = _region_overview(request, pk)
    name = f"{area.name}{_('概览')}-{timezone.localdate():%Y%m%d}.xlsx"
    response = attachment(workbook(ov, area.department_name, overview.figures(ov)), name, XLSX)
    audit.append("export", object_type="dashboards.region", object_id=area.pk, data={"filters": ov.query()})
    return response
