"""联合检查 (R-SUP-2): the bureau's plan with partner units over several schools, its team
(add, remove), each school's result (a visit scored on the same checklist), closing it, and the
county summary table (.xlsx)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anxin.core import audit, policy
from anxin.core.access import check, deny, require
from anxin.core.editing import form_errors, run_action
from anxin.supervision import access, forms, services, summary
from anxin.supervision.models import Inspection, RectificationItem, TeamMember, Visit

I = "supervision.inspection"  # noqa: E741
RS = RectificationItem.Status


def _may_list(user) -> bool:
    return policy.can(user, f"{I}.view") or policy.can(user, f"{I}.join")


@login_required
def inspection_list(request):
    if not _may_list(request.user):
        require(request, f"{I}.view")
    rows = (
        access.inspections(request.user)
        .annotate(
            n_schools=Count("visits", distinct=True),
            n_done=Count("visits", filter=Q(visits__status="done"), distinct=True),
        )
        .order_by("-starts_on", "-id")
    )
    page = Paginator(rows, settings.ANXIN_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/inspection_list.html",
        {"rows": page.object_list, "page_obj": page, "can_create": policy.can(request.user, f"{I}.change")},
    )


def _schools(request):
    from anxin.org.models import School

    return (
        School.objects.restrict(request.user)
        .filter(county_id=request.user.county_id)
        .order_by("town", "name")
    )


@login_required
def inspection_create(request):
    require(request, f"{I}.change")
    county = request.user.county
    form = forms.InspectionForm(request.POST or None, county_id=county.pk, schools=_schools(request))
    if request.method == "POST" and form.is_valid():
        try:
            insp = services.create_inspection(request.user, county, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("联合检查已建立，请添加检查组成员。"))
            return redirect("supervision:inspection_detail", pk=insp.pk)
    return render(
        request,
        "supervision/form.html",
        {
            "title": _("制定联合检查计划"),
            "form": form,
            "help": _(
                "县教体局会同检察、公安等部门对学校专项治理开展情况进行联合检查；每所学校按督导检查清单评分。"
            ),
            "cancel": reverse("supervision:inspection_list"),
        },
    )


def _inspection(request, pk):
    return access.load(request, access.inspections(request.user).select_related("lead", "county"), pk)


def _people(insp):
    from anxin.accounts.models import User

    return (
        User.objects.filter(county_id=insp.county_id, is_active=True, memberships__isnull=False)
        .distinct()
        .order_by("real_name", "username")
    )


@login_required
def inspection_detail(request, pk):
    insp = _inspection(request, pk)
    can_change = policy.allows(request.user, insp, "change")
    visits = list(
        insp.visits.select_related("school")
        .annotate(
            n_rect=Count("rectifications"),
            n_open=Count(
                "rectifications", filter=Q(rectifications__status__in=(RS.OPEN, RS.RETURNED, RS.SUBMITTED))
            ),
        )
        .order_by("school__town", "school__name")
    )
    in_list = {v.school_id for v in visits}
    return render(
        request,
        "supervision/inspection_detail.html",
        {
            "insp": insp,
            "visits": visits,
            "team": list(insp.team.select_related("user")),
            "units": list(insp.units.all()),
            "can_change": can_change and insp.status == Inspection.Status.PLANNED,
            "can_export": policy.allows(request.user, insp, "export"),
            "member_form": forms.MemberForm(people=_people(insp)) if can_change else None,
            "school_form": forms.AddSchoolForm(schools=_schools(request).exclude(pk__in=in_list))
            if can_change
            else None,
        },
    )


@login_required
@require_POST
def member_add(request, pk):
    insp = _inspection(request, pk)
    check(request, insp, "change")
    form = forms.MemberForm(request.POST, people=_people(insp))
    if form.is_valid():
        run_action(
            request, lambda: services.add_member(request.user, insp, **form.cleaned_data), _("已加入检查组。")
        )
    else:
        messages.error(request, _("请选择账号或填写姓名。"))
    return redirect(reverse("supervision:inspection_detail", args=[insp.pk]) + "#team")


@login_required
@require_POST
def member_remove(request, pk):
    member = (
        TeamMember.objects.filter(pk=pk, inspection__in=access.inspections(request.user))
        .select_related("inspection")
        .first()
    )
    if member is None:
        deny(request, f"{I}.change", "supervision.teammember", pk)
    check(request, member.inspection, "change")
    run_action(request, lambda: services.remove_member(request.user, member), _("已移出检查组。"))
    return redirect(reverse("supervision:inspection_detail", args=[member.inspection_id]) + "#team")


@login_required
@require_POST
def school_add(request, pk):
    insp = _inspection(request, pk)
    check(request, insp, "change")
    form = forms.AddSchoolForm(request.POST, schools=_schools(request))
    if form.is_valid():
        run_action(
            request,
            lambda: services.add_school(request.user, insp, form.cleaned_data["school"]),
            _("已加入检查名单。"),
        )
    else:
        messages.error(request, _("请选择学校。"))
    return redirect("supervision:inspection_detail", pk=insp.pk)


@login_required
@require_POST
def school_remove(request, pk):
    visit = (
        Visit.objects.filter(pk=pk, inspection__in=access.inspections(request.user))
        .select_related("inspection")
        .first()
    )
    if visit is None:
        deny(request, f"{I}.change", "supervision.visit", pk)
    check(request, visit.inspection, "change")
    run_action(request, lambda: services.remove_school(request.user, visit), _("已移出检查名单。"))
    return redirect("supervision:inspection_detail", pk=visit.inspection_id)


@login_required
@require_POST
def inspection_close(request, pk):
    insp = _inspection(request, pk)
    check(request, insp, "change")
    run_action(request, lambda: services.close_inspection(request.user, insp), _("联合检查已结束。"))
    return redirect("supervision:inspection_detail", pk=insp.pk)


@login_required
def inspection_xlsx(request, pk):
    insp = _inspection(request, pk)
    check(request, insp, "export")
    response = summary.summary_response(insp)
    audit.record("export", insp, data={"view": "supervision:inspection_xlsx"})
    return response
