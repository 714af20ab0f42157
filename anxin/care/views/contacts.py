"""The quick log (a contact from a plan or a student's page) and intervention tasks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anxin.care import services
from anxin.care.filters import TaskFilter
from anxin.care.forms import (
    QuickLogForm,
    TaskUpdateForm,
)
from anxin.care.models import (
    CarePlan,
    ContactKind,
    ContactLog,
    InterventionTask,
)
from anxin.care.views.common import _safe_next
from anxin.core import clock, policy
from anxin.core.access import check, get_for_user
from anxin.core.crypto import encrypted_fields
from anxin.core.editing import form_errors
from anxin.core.listing import ScopedListView
from anxin.roster.models import Student

# --- the quick log ------------------------------------------------------------------------------


@login_required
def plan_log(request, pk):
    plan = get_for_user(
        request, CarePlan, pk, "view", queryset=CarePlan.objects.select_related("student__klass__grade")
    )
    if not plan.is_active:
        messages.error(request, _("计划已结束，不能再记录联系。"))
        return redirect("care:plan_detail", pk=plan.pk)
    return _log(request, plan.student, plan)


@login_required
def student_log(request, student_pk):
    from anxin.roster.models import Student

    student = get_for_user(
        request, Student, student_pk, "view", queryset=Student.objects.select_related("klass__grade")
    )
    return _log(request, student, None)


def _log(request, student, plan):
    check(
        request,
        ContactLog(county_id=student.county_id, school_id=student.school_id, student=student),
        "change",
    )
    wanted = request.GET.get("kind")
    if wanted in services.LOGGABLE_KINDS:
        kind = wanted
    elif plan is not None and plan.kind == CarePlan.Kind.WATCH:
        kind = ContactKind.CHECKIN
    else:
        kind = ContactKind.TALK
    form = QuickLogForm(request.POST or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.log_contact(request.user, student=student, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            if contact.anomaly:
                messages.warning(request, _("已记录。已生成干预任务，并通知分管安全副校长。"))
            else:
                messages.success(request, _("已记录。"))
            if back := _safe_next(request):  # opened from the student page: back there
                return redirect(back)
            if contact.plan_id:
                return redirect(reverse("care:plan_detail", args=[contact.plan_id]) + f"#c{contact.pk}")
            return redirect("care:class_mechanisms", pk=student.klass_id)
    return render(
        request,
        "care/log_form.html",
        {"title": _("记录联系"), "form": form, "student": student, "plan": plan},
    )


# --- intervention tasks --------------------------------------------------------------------------


class TaskListView(ScopedListView):
    model = InterventionTask
    filterset_class = TaskFilter
    template_name = "care/task_list.html"
    title = gettext_lazy("干预任务")
    select_related = ("student__klass__grade", "owner")
    unread_on_page = encrypted_fields(Student, "student__")  # (the name and class are shown)
    columns = [
        (gettext_lazy("班级"), "col_klass"),
        (gettext_lazy("学生"), "student.name"),
        (gettext_lazy("任务"), "title"),
        (gettext_lazy("责任人"), "owner.real_name"),
        (gettext_lazy("完成期限"), "due_on"),
        (gettext_lazy("状态"), "status"),
        (gettext_lazy("处理结果"), "outcome"),
    ]

    def col_klass(self, task) -> str:
        return str(task.student.klass)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["today"] = clock.today()
        return ctx


@login_required
def task_detail(request, pk):
    task = get_for_user(
        request,
        InterventionTask,
        pk,
        "view",
        sensitive=True,
        queryset=InterventionTask.objects.select_related(
            "student__klass__grade", "owner", "done_by", "source__staff"
        ),
    )
    can_change = task.is_open and policy.allows(request.user, task, "change")
    form = None
    if can_change:
        form = TaskUpdateForm(
            request.POST or None,
            staff=services.staff_choices(task.school_id),
            initial={
                "status": task.status,
                "outcome": task.outcome,
                "owner": task.owner_id,
                "due_on": task.due_on,
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.update_task(request.user, task, **form.cleaned_data)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("干预任务已更新。"))
                return redirect("care:task_detail", pk=task.pk)
    elif request.method == "POST":
        check(request, task, "change")
        raise PermissionDenied
    return render(request, "care/task_detail.html", {"title": task.title, "task": task, "form": form})
