"""Monitoring on duty (R-SCR-6): the key-period duty roster and the duty logs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anxin.core import clock, policy
from anxin.core.access import check, get_for_user
from anxin.core.listing import ScopedListView
from anxin.screening import filters as f
from anxin.screening import forms as sf
from anxin.screening import services
from anxin.screening.models import DutyLog, DutyShift
from anxin.screening.views._common import _form_errors, _pick_school, _school_for


class ShiftListView(ScopedListView):
    model = DutyShift
    filterset_class = f.ShiftFilter
    template_name = "screening/shift_list.html"
    title = gettext_lazy("重点时段值守排班")
    export_name = gettext_lazy("值守排班")
    select_related = ("school", "zone", "person")
    columns = [
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("重点时段"), "period"),
        (gettext_lazy("星期"), "weekday_labels"),
        (gettext_lazy("开始时间"), "start_time"),
        (gettext_lazy("结束时间"), "end_time"),
        (gettext_lazy("区域"), "zone.name"),
        (gettext_lazy("值守人"), "person.real_name"),
        (gettext_lazy("备注"), "note"),
        (gettext_lazy("在用"), "active"),
    ]
    export_action = "view"

    def base_queryset(self):
        return super().base_queryset().order_by("-active", "start_time", "id")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = policy.can(self.request.user, "screening.dutyshift.change")
        return ctx


@login_required
def shift_edit(request, pk=None):
    shift = None
    if pk:
        shift = get_for_user(
            request, DutyShift, pk, "view", queryset=DutyShift.objects.select_related("school")
        )
        check(request, shift, "change")
        school = shift.school
    else:
        school = _school_for(request, "screening.dutyshift.change")
        if school is None:
            return _pick_school(request, "screening.dutyshift.change", _("安排值守"))
    form = sf.ShiftForm(
        request.POST or None, instance=shift, school=school, staff=services.staff_of(school.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_shift(
                by=request.user,
                school=school,
                data=form.cleaned_data,
                shift=DutyShift.objects.get(pk=shift.pk) if shift else None,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("值守安排已保存。"))
            return redirect("screening:shift_list")
    return render(
        request,
        "screening/form.html",
        {
            "title": _("修改值守安排") if shift else _("安排重点时段值守"),
            "subtitle": school.name,
            "form": form,
            "school": school if not shift else None,
            "cancel": reverse("screening:shift_list"),
            "help": _("充分发挥学校视频监控作用，重点时段指派专人进行监控（贺教发〔2024〕7号 二(一)）。"),
        },
    )


class DutyLogListView(ScopedListView):
    model = DutyLog
    filterset_class = f.DutyLogFilter
    template_name = "screening/dutylog_list.html"
    title = gettext_lazy("监控值守记录")
    export_name = gettext_lazy("值守记录")
    select_related = ("school", "zone", "logged_by", "shift")
    export_action = "view"
    columns = [
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("时间"), "at_local"),
        (gettext_lazy("区域"), "zone.name"),
        (gettext_lazy("地点"), "place"),
        (gettext_lazy("值守情况"), "summary"),
        (gettext_lazy("发现苗头"), "is_sign"),
        (gettext_lazy("值守人"), "logged_by.real_name"),
        (gettext_lazy("关注线索编号"), "concern_id"),
    ]

    def at_local(self, obj):
        return obj.at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")

    def base_queryset(self):
        return super().base_queryset().order_by("-at", "-id")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = policy.can(self.request.user, "screening.dutylog.change")
        return ctx


@login_required
def dutylog_create(request):
    school = _school_for(request, "screening.dutylog.change")
    if school is None:
        return _pick_school(request, "screening.dutylog.change", _("填写值守记录"))
    form = sf.DutyLogForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.log_duty(by=request.user, school=school, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if entry.is_sign:
                messages.success(request, _("值守记录已保存；苗头已报送研判。"))
            else:
                messages.success(request, _("值守记录已保存。"))
            return redirect("screening:dutylog_list")
    return render(
        request,
        "screening/form.html",
        {
            "title": _("填写值守记录"),
            "subtitle": school.name,
            "form": form,
            "school": school,
            "cancel": reverse("screening:dutylog_list"),
            "help": _(
                "发现苗头性事件，及时报告，及早处置，防止事态扩大。勾选“发现苗头”后将自动作为关注线索进入研判。"
            ),
        },
    )
