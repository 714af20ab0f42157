"""部门联动 (R-SUP-3): the county's partner units and contacts (the bureau edits them);
referrals from a school to a unit and their outcome (recorded by the recipient, or by the
school when the unit has no account)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anxin.core import audit, policy
from anxin.core.access import check, deny, get_for_user, require
from anxin.core.editing import form_errors
from anxin.supervision import access, forms, services
from anxin.supervision.filters import ReferralFilter
from anxin.supervision.models import PartnerContact, PartnerKind, PartnerUnit, Referral
from anxin.supervision.views._common import pick_school, school_for

P = "supervision.partnerunit"
RF = "supervision.referral"


@login_required
def partner_list(request):
    require(request, f"{P}.view")
    units = list(
        PartnerUnit.objects.restrict(request.user)
        .filter(county_id=request.user.county_id)
        .prefetch_related("contacts")
        .order_by("kind", "name")
    )
    labels = dict(PartnerKind.choices)
    groups = [(labels[k], [u for u in units if u.kind == k]) for k in PartnerKind.values]
    return render(
        request,
        "supervision/partner_list.html",
        {
            "groups": [(label, us) for label, us in groups if us],
            "can_edit": policy.can(request.user, f"{P}.change"),
        },
    )


def _people(county_id):
    from anxin.accounts.models import User

    return (
        User.objects.filter(county_id=county_id, is_active=True, memberships__isnull=False)
        .distinct()
        .order_by("real_name", "username")
    )


@login_required
def partner_edit(request, pk=None):
    require(request, f"{P}.change")
    unit = None
    if pk is not None:
        unit = get_for_user(request, PartnerUnit, pk)
        check(request, unit, "change")
    form = forms.UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and "contact" not in request.POST and form.is_valid():
        try:
            saved = services.save_unit(request.user, request.user.county_id, form.cleaned_data, unit=unit)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("supervision:partner_edit", pk=saved.pk)
    contact_form = None
    if unit is not None:
        contact_form = forms.ContactForm(
            request.POST if "contact" in request.POST else None, people=_people(unit.county_id)
        )
        if request.method == "POST" and "contact" in request.POST and contact_form.is_valid():
            try:
                services.save_contact(request.user, unit, contact_form.cleaned_data)
            except ValidationError as exc:
                form_errors(contact_form, exc)
            else:
                messages.success(request, _("已添加联系人。"))
                return redirect("supervision:partner_edit", pk=unit.pk)
    return render(
        request,
        "supervision/partner_edit.html",
        {
            "unit": unit,
            "form": form,
            "contact_form": contact_form,
            "contacts": list(unit.contacts.select_related("user")) if unit else [],
            "title": _("编辑联动单位") if unit else _("添加联动单位"),
        },
    )


@login_required
@require_POST
def contact_remove(request, pk):
    contact = get_for_user(request, PartnerContact, pk)
    check(request, contact.unit, "change")
    services.remove_contact(request.user, contact)
    messages.success(request, _("已删除联系人。"))
    return redirect("supervision:partner_edit", pk=contact.unit_id)


@login_required
def referral_list(request):
    if not (policy.can(request.user, f"{RF}.view") or policy.can(request.user, f"{RF}.respond")):
        require(request, f"{RF}.view")
    qs = (
        access.referrals(request.user)
        .select_related("school", "unit", "recipient")
        .order_by("status", "respond_by", "-id")
    )
    fs = ReferralFilter(request.GET or None, queryset=qs, request=request)
    rows = fs.qs if fs.is_bound and fs.is_valid() else qs
    return render(
        request,
        "supervision/referral_list.html",
        {
            "filter": fs,
            "rows": list(rows[:200]),
            "can_refer": policy.can(request.user, f"{RF}.change"),
            "title": _("联动转介"),
        },
    )


@login_required
def referral_create(request):
    school = school_for(request, f"{RF}.change")
    if school is None:
        return pick_school(request, f"{RF}.change", _("转介到联动单位"))
    form = forms.ReferralForm(request.POST or None, county_id=school.county_id)
    if request.method == "POST" and form.is_valid():
        try:
            r = services.refer(request.user, school, form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已转介。"))
            return redirect("supervision:referral_detail", pk=r.pk)
    return render(
        request,
        "supervision/form.html",
        {
            "title": _("转介到联动单位"),
            "subtitle": school.name,
            "school": school,
            "form": form,
            "help": _(
                "事件以外需要部门协助的事项：家庭困难、留守儿童监护缺失、校园周边治安等。涉及欺凌事件的，请在事件中办理。"
            ),
            "cancel": reverse("supervision:referral_list"),
        },
    )


@login_required
def referral_detail(request, pk):
    r = access.load(
        request,
        access.referrals(request.user).select_related(
            "school", "unit", "contact", "recipient", "referred_by", "student__klass__grade"
        ),
        pk,
    )
    if r.child or r.student_id:
        audit.record("read", r, data={"view": "supervision:referral_detail"})
    may_outcome = r.status != Referral.Status.CLOSED and services.may_record_outcome(request.user, r)
    may_receive = r.status == Referral.Status.SENT and r.recipient_id == request.user.pk and may_outcome
    form = forms.OutcomeForm(request.POST if request.method == "POST" and "outcome" in request.POST else None)
    if request.method == "POST":
        if not (may_outcome or may_receive):
            deny(request, f"{RF}.respond", "supervision.referral", r.pk)
        try:
            if "receive" in request.POST:
                services.receive(request.user, r)
                messages.success(request, _("已接收。"))
                return redirect("supervision:referral_detail", pk=r.pk)
            if form.is_valid():
                services.record_outcome(request.user, r, outcome=form.cleaned_data["outcome"])
                messages.success(request, _("处理结果已反馈。"))
                return redirect("supervision:referral_detail", pk=r.pk)
        except ValidationError as exc:
            form_errors(form, exc)
    return render(
        request,
        "supervision/referral_detail.html",
        {"r": r, "form": form if may_outcome else None, "may_receive": may_receive},
    )
