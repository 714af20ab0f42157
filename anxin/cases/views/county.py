"""County settings of the case rules: the holiday calendar (LAW 14: appeal windows in working
days) and the county's legal parameters (R-Q-7)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from anxin.cases import forms
from anxin.cases.models import (
    Holiday,
)
from anxin.core import clock, policy
from anxin.core.access import deny, require

# --- the holiday calendar (LAW 14) ----------------------------------------------------------------


@login_required
def holiday_list(request):
    require(request, "cases.holiday.view")
    user = request.user
    county_id = user.county_id
    can_change = policy.can(user, "cases.holiday.change")
    form = forms.HolidayForm(request.POST or None)
    if request.method == "POST":
        if not can_change:
            deny(request, "cases.holiday.change")
        if form.is_valid():
            d = form.cleaned_data
            Holiday.objects.update_or_create(
                county_id=county_id,
                date=d["date"],
                defaults={"name": d["name"], "is_workday": d["is_workday"]},
            )
            messages.success(request, _("已保存。"))
            return redirect("cases:holidays")
    days = (
        Holiday.objects.restrict(user)
        .filter(date__gte=clock.today().replace(month=1, day=1))
        .order_by("date")
    )
    return render(
        request,
        "cases/holidays.html",
        {"title": _("节假日与调休"), "days": days, "form": form, "can_change": can_change},
    )


# --- the county's legal parameters (R-Q-7) ----------------------------------------------------------


@login_required
def legal_params(request):
    """The county's legal parameters with their defaults and sources; the county's
    administrator sets a new version with an effective date (never an edit)."""
    from anxin.cases import params

    require(request, "cases.legalparameterversion.view")
    user = request.user
    county_id = user.county_id
    can_change = policy.can(user, "cases.legalparameterversion.change")
    rows = params.rows(county_id)
    form = forms.LegalParametersForm(request.POST or None, current={r.key: r.value for r in rows})
    if request.method == "POST":
        if not can_change:
            deny(request, "cases.legalparameterversion.change")
        if form.is_valid():
            d = dict(form.cleaned_data)
            try:
                params.set_version(
                    by=user,
                    county_id=county_id,
                    effective_from=d.pop("effective_from"),
                    reason=d.pop("reason"),
                    values=d,
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            except PermissionDenied:
                deny(request, "cases.legalparameterversion.change")
            else:
                messages.success(request, _("已保存新的参数版本。"))
                return redirect("cases:legal_params")
    return render(
        request,
        "cases/legal_params.html",
        {
            "title": _("本县法定参数"),
            "rows": rows,
            "versions": params.versions(county_id)[:50],
            "form": form,
            "can_change": can_change,
        },
    )
