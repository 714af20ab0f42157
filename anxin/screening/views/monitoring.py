"""Monitoring on duty (R-SCR-6): the key-period duty roster and the duty logs."""

from __future__ import annotations

from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anxin.core import clock, policy
from anxin.core.listing import ScopedListView
from anxin.screening import filters as f
from anxin.screening import forms as sf
from anxin.screening import services
from anxin.screening.models import DutyLog, DutyShift
from anxin.screening.views._common import SchoolFormView


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


class ShiftEditView(SchoolFormView):
    model = DutyShift
    permission = "screening.dutyshift.change"
    form_class = sf.ShiftForm
    form_school = form_staff = True
    title = gettext_lazy("安排重点时段值守")
    edit_title = gettext_lazy("修改值守安排")
    pick_title = gettext_lazy("安排值守")
    cancel_url = reverse_lazy("screening:shift_list")
    help_text = gettext_lazy(
        "充分发挥学校视频监控作用，重点时段指派专人进行监控（贺教发〔2024〕7号 二(一)）。"
    )
    success_message = gettext_lazy("值守安排已保存。")
    success_url_name = "screening:shift_list"

    def save(self, form):
        return services.save_shift(
            by=self.request.user, school=self.school, data=form.cleaned_data, shift=self.stored_object()
        )


shift_edit = ShiftEditView.as_view()


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


class DutyLogCreateView(SchoolFormView):
    permission = "screening.dutylog.change"
    form_class = sf.DutyLogForm
    form_school = True
    title = pick_title = gettext_lazy("填写值守记录")
    cancel_url = reverse_lazy("screening:dutylog_list")
    help_text = gettext_lazy(
        "发现苗头性事件，及时报告，及早处置，防止事态扩大。勾选“发现苗头”后将自动作为关注线索进入研判。"
    )
    success_url_name = "screening:dutylog_list"

    def save(self, form):
        return services.log_duty(by=self.request.user, school=self.school, **form.cleaned_data)

    def get_success_message(self, result) -> str:
        if result.is_sign:
            return _("值守记录已保存；苗头已报送研判。")
        return _("值守记录已保存。")


dutylog_create = DutyLogCreateView.as_view()
