"""Care plan pages: the list, a plan's timeline, picking a student, create, edit, close."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anxin.care import cadence, risk_actions, services
from anxin.care.filters import CarePlanFilter
from anxin.care.forms import (
    ClosePlanForm,
    PlanForm,
)
from anxin.care.models import (
    CarePlan,
    ContactLog,
    CounsellingSession,
    InterventionTask,
)
from anxin.core import clock, policy
from anxin.core.access import check, get_for_user, require
from anxin.core.duties import id_path
from anxin.core.editing import ServiceFormView
from anxin.core.listing import ScopedListView, choice_labels
from anxin.roster.models import Student

from .common import (
    PLAN_RELATED,
    _enrolled_in,
    _level_label,
    _local,
    _screening_url,
    _tendency_url,
)

# --- plans -------------------------------------------------------------------------------------


class PlanListView(ScopedListView):
    """我的关爱对象: a class teacher sees their class, the school's leaders the whole school."""

    model = CarePlan
    filterset_class = CarePlanFilter
    template_name = "care/plan_list.html"
    title = gettext_lazy("关爱对象")
    export_name = gettext_lazy("关爱帮扶台账")
    select_related = PLAN_RELATED
    columns = [
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("班级"), "col_klass"),
        (gettext_lazy("学生"), "student.name"),
        (gettext_lazy("类型"), "kind"),
        (gettext_lazy("风险等级"), "level"),
        (gettext_lazy("帮扶措施"), "col_measures"),
        (gettext_lazy("关爱原因"), "reason"),
        (gettext_lazy("责任人"), "owner.real_name"),
        (gettext_lazy("联系频次"), "col_cadence"),
        (gettext_lazy("开始日期"), "starts_on"),
        (gettext_lazy("最近联系"), "col_last_contact"),
        (gettext_lazy("下次应联系"), "next_due_on"),
        (gettext_lazy("状态"), "status"),
    ]

    def col_klass(self, plan) -> str:
        return str(plan.student.klass)

    def col_measures(self, plan) -> str:
        return "、".join(plan.measure_labels)

    def col_cadence(self, plan) -> str:
        return cadence.label_for(plan.cadence)

    def col_last_contact(self, plan) -> str:
        return _local(plan.last_contact_at)

    def base_queryset(self):
        return super().base_queryset().order_by("status", F("next_due_on").asc(nulls_last=True), "pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        can_log = policy.can(user, "care.contactlog.change")
        ctx.update(
            rows=_plan_rows(ctx["object_list"].values(*_PLAN_ROW_FIELDS), can_log),
            can_create=policy.can(user, "care.careplan.change"),
        )
        return ctx


# what a row of 关爱对象 shows, read as values (no plan, student, class, grade or owner object)
_PLAN_ROW_FIELDS = (
    "pk",
    "student__name",
    "student__klass__grade__name",
    "student__klass__name",
    "kind",
    "status",
    "level",
    "owner__real_name",
    "owner__username",
    "last_contact_at",
    "next_due_on",
)


def _plan_rows(plans, can_log: bool) -> list[dict]:
    """The page's rows as plain strings, made once here rather than resolved cell by cell in
    the template (labels of choices, local times, days overdue, the addresses)."""
    kinds, statuses, levels = choice_labels(CarePlan, "kind", "status", "level")
    page_of, log_of = id_path("care:plan_detail"), id_path("care:plan_log")
    today = clock.today()
    rows = []
    for p in plans:
        active = p["status"] == CarePlan.Status.ACTIVE
        due = p["next_due_on"]
        contact = p["last_contact_at"]
        rows.append(
            {
                "url": page_of(p["pk"]),
                "student": p["student__name"],
                "klass": f"{p['student__klass__grade__name']}{p['student__klass__name']}",
                "kind": kinds.get(p["kind"], p["kind"]),
                "status": "" if active else statuses.get(p["status"], p["status"]),
                "level": p["level"],
                "level_label": levels.get(p["level"], p["level"]),
                "owner": p["owner__real_name"] or p["owner__username"],
                "contact": f"{timezone.localtime(contact):%Y-%m-%d %H:%M}" if contact else "",
                "due": f"{due:%Y-%m-%d}" if due else "",
                "overdue": max(0, (today - due).days) if active and due else 0,
                "log_url": log_of(p["pk"]) if can_log and active else "",
                "watch": p["kind"] == CarePlan.Kind.WATCH,
            }
        )
    return rows


@login_required
def plan_detail(request, pk):
    user = request.user
    plan = get_for_user(
        request,
        CarePlan,
        pk,
        "view",
        sensitive=True,
        queryset=CarePlan.objects.select_related(*PLAN_RELATED, "created_by"),
    )
    student = plan.student
    contacts = (
        ContactLog.objects.restrict(user, "view")
        .filter(student=student, occurred_at__date__gte=plan.starts_on)
        .select_related("staff", "session__counsellor")
        .prefetch_related("tasks")
        .order_by("-occurred_at", "-pk")
    )
    page = Paginator(contacts, 50).get_page(request.GET.get("page"))
    tasks = list(
        InterventionTask.objects.restrict(user, "view")
        .filter(student=student, created_at__date__gte=plan.starts_on)
        .select_related("owner")
        .order_by("status", "due_on", "pk")
    )
    level_now = services.elevated(services.screening_level(student))
    probe_contact = ContactLog(county_id=plan.county_id, school_id=plan.school_id, student=student)
    probe_session = CounsellingSession(county_id=plan.county_id, school_id=plan.school_id, student=student)
    ctx = {
        "title": _("关爱计划"),
        "plan": plan,
        "student": student,
        "page_obj": page,
        "contacts": page.object_list,
        "tasks": tasks,
        "cadence_label": cadence.label_for(plan.cadence),
        "screening_level": level_now,
        "screening_url": _screening_url(student),
        "tendency_url": _tendency_url(user, student),
        "can_log": plan.is_active and policy.allows(user, probe_contact, "change"),
        "can_edit": plan.is_active and policy.allows(user, plan, "change"),
        "can_counsel": policy.allows(user, probe_session, "change"),
        "can_view_sessions": policy.allows(user, probe_session, "view"),
        "close_form": ClosePlanForm(),
        "screening_level_label": _level_label(level_now),
    }
    return render(request, "care/plan_detail.html", ctx)


def _pick_student(request, perm: str, url_name: str, title: str, extra_query: str = ""):
    """Choose a class, then a student (no JavaScript, no names in URLs: ids only)."""
    from anxin.org.models import SchoolClass

    schools = policy.schools_for(request.user, perm) or set()
    classes = (
        SchoolClass.objects.restrict(request.user)
        .filter(school_id__in=schools, active=True)
        .select_related("grade", "school")
        .order_by("school__name", "grade__year", "name")
    )
    klass_id = request.GET.get("klass") or ""
    students = []
    if klass_id.isdigit():
        students = list(_enrolled_in(klass_ids=[int(klass_id)], school_ids=schools))
    return render(
        request,
        "care/pick_student.html",
        {
            "title": title,
            "classes": classes,
            "klass_id": klass_id,
            "students": students,
            "action": reverse(url_name),
            "extra_query": extra_query,
        },
    )


class StudentFormView(ServiceFormView):
    """A create page for one student (a care plan, a counselling session): ``permission`` is
    required first; without ``?student=`` the page picks a class, then a student; the student
    is loaded in scope and the new ``probe_model`` object for them is checked for ``change``."""

    probe_model: ClassVar[Any] = None
    pick_url_name = ""
    student_related: tuple[str, ...] = ("klass__grade",)
    context_object_name = "student"

    def get_object(self):

        require(self.request, self.permission)
        student_id = self.request.GET.get("student")
        if not student_id:
            return None
        queryset = Student.objects.select_related(*self.student_related)
        return get_for_user(self.request, Student, student_id, "view", queryset=queryset)

    def authorize(self):
        student = self.object
        if student is not None:
            probe = self.probe_model(
                county_id=student.county_id, school_id=student.school_id, student=student
            )
            check(self.request, probe, "change")

    def pick_query(self) -> str:
        return ""

    def get(self, request, *args, **kwargs):
        if self.object is None:
            return _pick_student(request, self.permission, self.pick_url_name, self.title, self.pick_query())
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.object is None:
            return _pick_student(request, self.permission, self.pick_url_name, self.title, self.pick_query())
        return super().post(request, *args, **kwargs)


class PlanCreateView(StudentFormView):
    """建立关爱计划 for a student (``?kind=`` care or watch), owner and measures prefilled."""

    permission = "care.careplan.change"
    probe_model = CarePlan
    pick_url_name = "care:plan_create"
    student_related = ("klass__grade", "school")
    form_class = PlanForm
    template_name = "care/plan_form.html"
    title = gettext_lazy("建立关爱计划")
    success_message = gettext_lazy("关爱计划已建立。")
    success_url_name = "care:plan_detail"

    @property
    def kind(self) -> str:
        kind = self.request.GET.get("kind")
        return kind if kind in CarePlan.Kind.values else CarePlan.Kind.CARE

    def pick_query(self):
        return f"kind={self.kind}"

    def get_initial(self):
        initial = {"kind": self.kind, "measures": services.DEFAULT_MEASURES[self.kind]}
        initial.update(
            risk_actions.plan_initial(self.object, self.request.GET)
        )  # risk → action: the proposal
        return initial

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "staff": services.staff_choices(self.object.school_id)}

    def save(self, form):
        data = form.cleaned_data
        return services.create_plan(
            self.request.user,
            self.object,
            kind=data["kind"],
            level=data["level"] or None,
            measures=data["measures"],
            owner=data["owner"],
            reason=data["reason"],
            ends_on=data["ends_on"],
            cadence_days=data["cadence_days"],
        )

    def get_context_data(self, **kwargs):
        level_now = services.elevated(services.screening_level(self.object))
        return super().get_context_data(
            screening_level=level_now, screening_level_label=_level_label(level_now), **kwargs
        )


plan_create = PlanCreateView.as_view()


class PlanEditView(ServiceFormView):
    """调整关爱计划: level, measures, owner, reason, end date, cadence."""

    model = CarePlan
    form_class = PlanForm
    template_name = "care/plan_form.html"
    title = gettext_lazy("调整关爱计划")
    success_message = gettext_lazy("关爱计划已保存。")
    success_url_name = "care:plan_detail"

    def get_queryset(self):
        return CarePlan.objects.select_related(*PLAN_RELATED)

    def get_initial(self):
        plan = self.object
        return {
            "level": plan.level,
            "measures": plan.measures,
            "owner": plan.owner_id,
            "reason": plan.reason,
            "ends_on": plan.ends_on,
            "cadence_days": plan.cadence_days,
        }

    def get_form_kwargs(self):
        staff = services.staff_choices(self.object.school_id)
        return {**super().get_form_kwargs(), "staff": staff, "editing": True}

    def save(self, form):
        services.update_plan(self.request.user, self.object, **form.cleaned_data)
        return self.object

    def get_context_data(self, **kwargs):
        return super().get_context_data(student=self.object.student, plan=self.object, **kwargs)


plan_edit = PlanEditView.as_view()


@require_POST
@login_required
def plan_close(request, pk):
    plan = get_for_user(request, CarePlan, pk, "view")
    check(request, plan, "change")
    form = ClosePlanForm(request.POST)
    note = form.cleaned_data["close_note"] if form.is_valid() else ""
    try:
        services.close_plan(request.user, plan, note)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("关爱计划已结束。"))
    return redirect("care:plan_detail", pk=plan.pk)
