"""The school's 学生欺凌治理委员会 page (LAW 3, 4): constitute it, add members, members leave."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from anxin.cases import forms, rules, services
from anxin.cases.models import (
    Committee,
    CommitteeMember,
)
from anxin.core import clock, policy
from anxin.core.access import deny, require

# --- the committee (LAW 3, 4) -------------------------------------------------------------------


@login_required
def committee_page(request):
    require(request, "cases.committee.view")
    from anxin.org.models import School

    ids = policy.schools_for(request.user, "cases.committee.view")
    schools = School.objects.restrict(request.user).filter(pk__in=ids or []).order_by("name")
    school = schools.filter(pk=request.GET.get("school") or 0).first() or schools.first()
    if school is None:
        raise Http404
    committee = Committee.objects.filter(school=school).first()
    probe = Committee(county_id=school.county_id, school_id=school.pk)
    can_change = policy.allows(request.user, probe, "change")
    committee_form, member_form = (
        forms.CommitteeForm(initial={"established_on": clock.today()}),
        forms.MemberForm(),
    )
    if request.method == "POST":
        if not can_change:
            deny(request, "cases.committee.change", "cases.committee", getattr(committee, "pk", ""))
        action = request.POST.get("action")
        try:
            if action == "constitute":
                committee_form = forms.CommitteeForm(request.POST)
                if committee_form.is_valid():
                    services.constitute_committee(
                        by=request.user,
                        school=school,
                        established_on=committee_form.cleaned_data["established_on"],
                    )
                    messages.success(request, _("已组建学生欺凌治理委员会。请添加委员。"))
                    return redirect(f"{reverse('cases:committee')}?school={school.pk}")
            elif action == "add" and committee is not None:
                member_form = forms.MemberForm(request.POST)
                if member_form.is_valid():
                    services.add_member(committee, by=request.user, **member_form.cleaned_data)
                    messages.success(request, _("已添加委员。"))
                    return redirect(f"{reverse('cases:committee')}?school={school.pk}")
            elif action == "leave" and committee is not None:
                member = CommitteeMember.objects.filter(
                    committee=committee, pk=request.POST.get("member") or 0
                ).first()
                if member is None:
                    raise Http404
                services.member_leaves(member, by=request.user)
                messages.success(request, _("委员已退出。"))
                return redirect(f"{reverse('cases:committee')}?school={school.pk}")
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
    members = list(committee.members.order_by("left_on", "-is_chair", "kind", "id")) if committee else []
    return render(
        request,
        "cases/committee.html",
        {
            "title": _("学生欺凌治理委员会"),
            "school": school,
            "schools": schools,
            "committee": committee,
            "members": members,
            "gaps": rules.committee_gaps(committee, school),
            "can_change": can_change,
            "committee_form": committee_form,
            "member_form": member_form,
        },
    )
