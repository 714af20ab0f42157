"""Problems and rectification (R-SCR-7)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anxin.core import clock, policy
from anxin.core.access import get_for_user
from anxin.core.listing import ScopedListView
from anxin.screening import filters as f
from anxin.screening import forms as sf
from anxin.screening import services
from anxin.screening.models import Rectification
from anxin.screening.views._common import _form_errors, _pick_school, _school_for

# --- problems and rectification (R-SCR-7) ---------------------------------------------------------


class RectificationListView(ScopedListView):
    model = Rectification
    filterset_class = f.RectificationFilter
    template_name = "screening/rectification_list.html"
    title = gettext_lazy("问题整改台账")
    export_name = gettext_lazy("问题整改台账")
    select_related = ("school", "owner")
    columns = [
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("发现日期"), "found_on"),
        (gettext_lazy("来源"), "source"),
        (gettext_lazy("存在问题"), "problem"),
        (gettext_lazy("整改措施"), "measure"),
        (gettext_lazy("责任人"), "owner.real_name"),
        (gettext_lazy("整改期限"), "due_date"),
        (gettext_lazy("状态"), "status"),
        (gettext_lazy("完成日期"), "done_on"),
        (gettext_lazy("完成佐证"), "evidence"),
    ]

    def base_queryset(self):
        return super().base_queryset().order_by("status", "due_date", "id")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = policy.can(self.request.user, "screening.rectification.change")
        ctx["today"] = clock.today()
        return ctx


@login_required
def rectification_edit(request, pk=None):
    item = None
    if pk:
        item = get_for_user(
            request, Rectification, pk, "view", queryset=Rectification.objects.select_related("school")
        )
        school = item.school
        if not policy.allows(request.user, item, "change"):
            return render(
                request, "screening/rectification_detail.html", {"title": _("问题整改"), "item": item}
            )
    else:
        school = _school_for(request, "screening.rectification.change")
        if school is None:
            return _pick_school(request, "screening.rectification.change", _("登记问题与整改"))
    form = sf.RectificationForm(
        request.POST or None, instance=item, school=school, staff=services.staff_of(school.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_rectification(
                by=request.user,
                school=school,
                data=form.cleaned_data,
                item=Rectification.objects.get(pk=item.pk) if item else None,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("screening:rectification_list")
    return render(
        request,
        "screening/form.html",
        {
            "title": _("修改问题整改") if item else _("登记问题与整改"),
            "subtitle": school.name,
            "form": form,
            "school": school if not item else None,
            "cancel": reverse("screening:rectification_list"),
            "help": _(
                "查找当前学生欺凌防治工作中存在的问题，明确整改措施、责任人和期限，整改完成须留佐证（贺教发〔2024〕7号 三、第一阶段）。"
            ),
        },
    )
