"""Problems and rectification (R-SCR-7)."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anxin.core import clock, policy
from anxin.core.listing import ScopedListView
from anxin.screening import filters as f
from anxin.screening import forms as sf
from anxin.screening import services
from anxin.screening.models import Rectification
from anxin.screening.views._common import SchoolFormView

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


class RectificationEditView(SchoolFormView):
    """登记/修改问题整改; one the user may see but not change is shown read-only."""

    model = Rectification
    permission = "screening.rectification.change"
    form_class = sf.RectificationForm
    form_school = form_staff = True
    title = pick_title = gettext_lazy("登记问题与整改")
    edit_title = gettext_lazy("修改问题整改")
    cancel_url = reverse_lazy("screening:rectification_list")
    help_text = gettext_lazy(
        "查找当前学生欺凌防治工作中存在的问题，明确整改措施、责任人和期限，整改完成须留佐证（贺教发〔2024〕7号 三、第一阶段）。"
    )
    success_message = gettext_lazy("已保存。")
    success_url_name = "screening:rectification_list"
    read_only = False

    def authorize(self) -> None:
        if self.object is not None and not policy.allows(self.request.user, self.object, "change"):
            self.read_only, self.school = True, self.object.school
            return
        super().authorize()

    def instead(self):
        if self.read_only:
            ctx = {"title": _("问题整改"), "item": self.object}
            return render(self.request, "screening/rectification_detail.html", ctx)
        return super().instead()

    def save(self, form):
        return services.save_rectification(
            by=self.request.user, school=self.school, data=form.cleaned_data, item=self.stored_object()
        )


rectification_edit = RectificationEditView.as_view()
