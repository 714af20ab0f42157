"""County settings of the case rules: the holiday calendar (LAW 14: appeal windows in working
days) and the county's legal parameters (R-Q-7)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anxin.cases import forms
from anxin.cases.models import (
    Holiday,
)
from anxin.core import clock, policy
from anxin.core.access import deny, require
from anxin.core.editing import ServiceFormView

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


class LegalParamsView(ServiceFormView):
    """The county's legal parameters with their defaults and sources; the county's
    administrator sets a new version with an effective date (never an edit)."""

    permission = "cases.legalparameterversion.view"
    form_class = forms.LegalParametersForm
    template_name = "cases/legal_params.html"
    title = gettext_lazy("本县法定参数")

    def authorize(self) -> None:
        super().authorize()
        self.can_change = policy.can(self.request.user, "cases.legalparameterversion.change")
        if self.request.method == "POST" and not self.can_change:
            deny(self.request, "cases.legalparameterversion.change")

    def get_form_kwargs(self) -> dict:
        from anxin.cases import params

        self.rows = params.rows(self.request.user.county_id)
        return {"data": self.request.POST or None, "current": {r.key: r.value for r in self.rows}}

    def save(self, form):
        from anxin.cases import params

        d = dict(form.cleaned_data)
        try:
            return params.set_version(
                by=self.request.user,
                county_id=self.request.user.county_id,
                effective_from=d.pop("effective_from"),
                reason=d.pop("reason"),
                values=d,
            )
        except PermissionDenied:
            deny(self.request, "cases.legalparameterversion.change")

    def get_success_message(self, result) -> str:
        return _("已保存新的参数版本。")

    def get_success_url(self, result) -> str:
        return reverse("cases:legal_params")

    def get_context_data(self, **kwargs) -> dict:
        from anxin.cases import params

        return super().get_context_data(
            rows=self.rows,
            versions=params.versions(self.request.user.county_id)[:50],
            can_change=self.can_change,
            **kwargs,
        )


legal_params = LegalParamsView.as_view()
