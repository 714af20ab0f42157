"""Care pages (R-CARE-1…5): my students' care, the plan timeline, the quick log form, tasks,
counselling, the per-class mechanisms of 二(六), counts for the bureau and the 台账 export.
Views are thin: scope through core.access, rules in services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anxin.care import cadence, risk_actions, services
from anxin.care.filters import CarePlanFilter, SessionFilter, TaskFilter
from anxin.care.forms import (
    ClosePlanForm,
    ContactTeacherForm,
    PeerPairForm,
    PlanForm,
    QuickLogForm,
    SessionForm,
    TaskUpdateForm,
)
from anxin.care.models import (
    CarePlan,
    ContactKind,
    ContactLog,
    ContactTeacher,
    CounsellingSession,
    InterventionTask,
    PeerPair,
)
from anxin.core import audit, clock, policy
from anxin.core.access import check, get_for_user, require
from anxin.core.listing import ScopedListView, current_school_id
from anxin.core.xlsx import xlsx_response

# Where screening shows a student's risk level, reasons and history (and its 重点盯防 alerts).
SCREENING_STUDENT_URLS = ("screening:student_risk", "screening:student_detail", "screening:student")


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _safe_next(request) -> str | None:
    from django.utils.http import url_has_allowed_host_and_scheme

    nxt = request.GET.get("next") or ""
    return nxt if nxt.startswith("/") and url_has_allowed_host_and_scheme(nxt, allowed_hosts=None) else None


def _local(moment) -> str:
    return timezone.localtime(moment, clock.SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment else ""


def _screening_url(student) -> str | None:
    for name in SCREENING_STUDENT_URLS:
        try:
            return reverse(name, args=[student.pk])
        except NoReverseMatch:
            continue
    return None


def _tendency_url(user, student) -> str | None:
    """The student's running entry in screening's bullying-tendency register (重点盯防), where
    screening shows its alerts when the student appears in a new report, concern or case."""
    try:
        from anxin.screening.models import TendencyEntry

        entry = (
            TendencyEntry.objects.restrict(user, "view")
            .filter(student_id=student.pk, status="active")
            .only("pk")
            .first()
        )
        return reverse("screening:tendency_detail", args=[entry.pk]) if entry else None
    except (ImportError, AttributeError, NoReverseMatch):
        return None


def _level_label(level: str | None) -> str:
    return str(cadence.Level(level).label) if level in cadence.Level.values else ""


def _enrolled_in(klass_ids=None, school_ids=None):
    from anxin.roster.models import Student, StudentStatus

    qs = Student.objects.filter(status=StudentStatus.ENROLLED)
    if klass_ids is not None:
        qs = qs.filter(klass_id__in=klass_ids)
    if school_ids is not None:
        qs = qs.filter(school_id__in=school_ids)
    return qs.order_by("name", "pk")


PLAN_RELATED = ("student__klass__grade", "owner", "school")


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
        ctx.update(
            today=clock.today(),
            can_create=policy.can(user, "care.careplan.change"),
            can_log=policy.can(user, "care.contactlog.change"),
        )
        return ctx


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


@login_required
def plan_create(request):
    from anxin.roster.models import Student

    require(request, "care.careplan.change")
    kind = request.GET.get("kind") if request.GET.get("kind") in CarePlan.Kind.values else CarePlan.Kind.CARE
    student_id = request.GET.get("student")
    if not student_id:
        return _pick_student(
            request, "care.careplan.change", "care:plan_create", _("建立关爱计划"), f"kind={kind}"
        )
    student = get_for_user(
        request,
        Student,
        student_id,
        "view",
        queryset=Student.objects.select_related("klass__grade", "school"),
    )
    check(
        request, CarePlan(county_id=student.county_id, school_id=student.school_id, student=student), "change"
    )
    staff = services.staff_choices(student.school_id)
    initial = {
        "kind": kind,
        "measures": services.DEFAULT_MEASURES[kind],
    }
    initial.update(risk_actions.plan_initial(student, request.GET))  # risk → action: the proposal
    form = PlanForm(request.POST or None, staff=staff, initial=initial)
    level_now = services.elevated(services.screening_level(student))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.create_plan(
                request.user,
                student,
                kind=data["kind"],
                level=data["level"] or None,
                measures=data["measures"],
                owner=data["owner"],
                reason=data["reason"],
                ends_on=data["ends_on"],
                cadence_days=data["cadence_days"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("关爱计划已建立。"))
            return redirect("care:plan_detail", pk=plan.pk)
    return render(
        request,
        "care/plan_form.html",
        {
            "title": _("建立关爱计划"),
            "form": form,
            "student": student,
            "screening_level": level_now,
            "screening_level_label": _level_label(level_now),
        },
    )


@login_required
def plan_edit(request, pk):
    plan = get_for_user(
        request, CarePlan, pk, "view", queryset=CarePlan.objects.select_related(*PLAN_RELATED)
    )
    check(request, plan, "change")
    initial = {
        "level": plan.level,
        "measures": plan.measures,
        "owner": plan.owner_id,
        "reason": plan.reason,
        "ends_on": plan.ends_on,
        "cadence_days": plan.cadence_days,
    }
    form = PlanForm(
        request.POST or None, staff=services.staff_choices(plan.school_id), editing=True, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_plan(request.user, plan, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("关爱计划已保存。"))
            return redirect("care:plan_detail", pk=plan.pk)
    return render(
        request,
        "care/plan_form.html",
        {"title": _("调整关爱计划"), "form": form, "student": plan.student, "plan": plan},
    )


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
            _form_errors(form, exc)
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
                _form_errors(form, exc)
            else:
                messages.success(request, _("干预任务已更新。"))
                return redirect("care:task_detail", pk=task.pk)
    elif request.method == "POST":
        check(request, task, "change")
        raise PermissionDenied
    return render(request, "care/task_detail.html", {"title": task.title, "task": task, "form": form})


# --- counselling (R-CARE-4) --------------------------------------------------------------------


class SessionListView(ScopedListView):
    """Who was counselled, when and by whom: never the notes."""

    model = CounsellingSession
    filterset_class = SessionFilter
    template_name = "care/session_list.html"
    title = gettext_lazy("心理辅导")
    select_related = ("student__klass__grade", "counsellor")

    def base_queryset(self):
        return super().base_queryset().defer("notes").order_by("-held_at", "-pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_create"] = policy.can(self.request.user, "care.counsellingsession.change")
        ctx["can_notes"] = policy.can(self.request.user, "care.counsellingsession.notes")
        return ctx


@login_required
def session_create(request):
    from anxin.roster.models import Student

    require(request, "care.counsellingsession.change")
    student_id = request.GET.get("student")
    if not student_id:
        return _pick_student(
            request, "care.counsellingsession.change", "care:session_create", _("记录心理辅导")
        )
    student = get_for_user(
        request, Student, student_id, "view", queryset=Student.objects.select_related("klass__grade")
    )
    check(
        request,
        CounsellingSession(county_id=student.county_id, school_id=student.school_id, student=student),
        "change",
    )
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.record_counselling(request.user, student=student, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("心理辅导已记录（记录内容加密保存）。"))
            return redirect("care:session_detail", pk=session.pk)
    return render(
        request, "care/session_form.html", {"title": _("记录心理辅导"), "form": form, "student": student}
    )


@login_required
def session_detail(request, pk):
    session = get_for_user(
        request,
        CounsellingSession,
        pk,
        "view",
        sensitive=True,
        queryset=CounsellingSession.objects.defer("notes").select_related(
            "student__klass__grade", "counsellor"
        ),
    )
    notes = None
    can_notes = services.can_read_notes(request.user, session)
    if can_notes:
        notes = services.read_notes(request.user, session, via="page")
    return render(
        request,
        "care/session_detail.html",
        {"title": _("心理辅导"), "session": session, "can_notes": can_notes, "notes": notes},
    )


# --- 二(六) mechanisms: 师生联系, 同学互助, 家校互通 ----------------------------------------------------


@login_required
def mechanisms(request):
    from anxin.org.models import SchoolClass

    require(request, "care.contactteacher.view")
    user = request.user
    schools = policy.schools_for(user, "care.contactteacher.view") or set()
    classes = (
        SchoolClass.objects.restrict(user)
        .filter(school_id__in=schools, active=True)
        .select_related("grade", "school")
        .order_by("school__name", "grade__year", "name", "pk")
    )
    school = current_school_id(request)
    if school:
        classes = classes.filter(school_id=school)
    if len(schools) == 1 and classes.count() == 1:
        return redirect("care:class_mechanisms", pk=classes.get().pk)
    page = Paginator(services.mechanism_summary(classes), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "care/mechanisms.html",
        {
            "title": _("师生联系与家校互通"),
            "page_obj": page,
            "object_list": page.object_list,
            "term_start": services.term_start(),
            "query": "",
        },
    )


@login_required
def class_mechanisms(request, pk):
    from anxin.org.models import SchoolClass
    from anxin.roster.models import Student

    user = request.user
    klass = get_for_user(
        request,
        SchoolClass,
        pk,
        "view",
        sensitive=True,
        queryset=SchoolClass.objects.select_related("grade", "school"),
    )
    someone = Student(county_id=klass.county_id, school_id=klass.school_id, klass_id=klass.pk)
    probe_teacher = ContactTeacher(county_id=klass.county_id, school_id=klass.school_id, student=someone)
    probe_pair = PeerPair(county_id=klass.county_id, school_id=klass.school_id, student=someone)
    probe_log = ContactLog(county_id=klass.county_id, school_id=klass.school_id, student=someone)
    check(request, probe_teacher, "view")
    can_teacher = policy.allows(user, probe_teacher, "change")
    can_pair = policy.allows(user, probe_pair, "change")
    students = _enrolled_in(klass_ids=[klass.pk])
    staff = services.school_staff(klass.school_id)
    teacher_form = ContactTeacherForm(students=students, staff=staff, prefix="t")
    pair_form = PeerPairForm(students=students, prefix="p")
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op == "teacher" and can_teacher:
                teacher_form = ContactTeacherForm(request.POST, students=students, staff=staff, prefix="t")
                if teacher_form.is_valid():
                    services.set_contact_teacher(
                        user, teacher_form.cleaned_data["student"], teacher_form.cleaned_data["teacher"]
                    )
                    messages.success(request, _("联系教师已指定。"))
                    return redirect("care:class_mechanisms", pk=klass.pk)
            elif op == "assign_me" and can_teacher:
                n = services.assign_unassigned(user, klass, user)
                messages.success(request, _("已将 %(n)s 名学生的联系教师设为我。") % {"n": n})
                return redirect("care:class_mechanisms", pk=klass.pk)
            elif op == "pair" and can_pair:
                pair_form = PeerPairForm(request.POST, students=students, prefix="p")
                if pair_form.is_valid():
                    d = pair_form.cleaned_data
                    services.add_peer_pair(user, d["student"], d["helper"], d["note"])
                    messages.success(request, _("同学互助结对已建立。"))
                    return redirect("care:class_mechanisms", pk=klass.pk)
            elif op == "end_pair" and can_pair:
                pair = get_for_user(request, PeerPair, request.POST.get("pair"), "change")
                services.end_peer_pair(user, pair)
                messages.success(request, _("结对已解除。"))
                return redirect("care:class_mechanisms", pk=klass.pk)
            else:
                check(request, probe_teacher, "change")
                raise Http404
        except ValidationError as exc:
            _form_errors(pair_form if op == "pair" else teacher_form, exc)
    rows = services.class_mechanisms(klass)
    ctx = {
        "title": _("%(klass)s · 师生联系、同学互助、家校互通") % {"klass": klass},
        "klass": klass,
        "rows": rows,
        "term_start": services.term_start(),
        "n_no_teacher": sum(1 for r in rows if r["no_teacher"]),
        "n_no_home": sum(1 for r in rows if r["no_home"]),
        "n_paired": sum(1 for r in rows if any(k == "helped_by" for k, _p in r["pairs"])),
        "can_teacher": can_teacher,
        "can_pair": can_pair,
        "can_log": policy.allows(user, probe_log, "change"),
        "teacher_form": teacher_form,
        "pair_form": pair_form,
        "home_kind": ContactKind.PHONE_VISIT,
    }
    return render(request, "care/class_mechanisms.html", ctx)


# --- counts and the 台账 ----------------------------------------------------------------------------


@login_required
def stats(request):
    require(request, "care.careplan.stats")
    rows = services.stats_by_school(request.user)
    school = current_school_id(request)
    if school:
        rows = [r for r in rows if r["school_id"] == school]
    keys = ("active", "watch", "red", "orange", "yellow", "overdue", "closed", "open_tasks", "term_contacts")
    totals = {k: sum(r[k] for r in rows) for k in keys}
    return render(
        request,
        "care/stats.html",
        {"title": _("关爱帮扶统计"), "rows": rows, "totals": totals, "term_start": services.term_start()},
    )


@login_required
def register_export(request):
    """关爱帮扶台账 of the school: plans, contacts, tasks, counselling (never its notes),
    同学互助 and 师生联系, one sheet each. Audited."""
    require(request, "care.careplan.export")
    user = request.user
    schools = policy.schools_for(user, "care.careplan.export") or set()

    def scoped(model, action="view"):
        return model.objects.restrict(user, action).filter(school_id__in=schools)

    audit.append("export", object_type="care.careplan", data={"register": "care", "schools": sorted(schools)})
    yes, no = _("是"), _("否")
    plans = scoped(CarePlan).select_related(*PLAN_RELATED).order_by("school_id", "student__klass_id", "pk")
    contacts = (
        scoped(ContactLog)
        .select_related("student__klass__grade", "staff")
        .order_by("school_id", "occurred_at", "pk")
    )
    tasks = (
        scoped(InterventionTask).select_related("student__klass__grade", "owner").order_by("school_id", "pk")
    )
    sessions = (
        scoped(CounsellingSession)
        .defer("notes")
        .select_related("student__klass__grade", "counsellor")
        .order_by("school_id", "held_at")
    )
    pairs = scoped(PeerPair).select_related("student__klass__grade", "helper").order_by("school_id", "pk")
    links = (
        scoped(ContactTeacher).select_related("student__klass__grade", "teacher").order_by("school_id", "pk")
    )
    sheets = [
        (
            _("关爱计划"),
            [
                _("班级"),
                _("学生"),
                _("类型"),
                _("风险等级"),
                _("帮扶措施"),
                _("关爱原因"),
                _("责任人"),
                _("联系频次"),
                _("开始日期"),
                _("最近联系"),
                _("下次应联系"),
                _("状态"),
                _("结束说明"),
            ],
            (
                [
                    str(p.student.klass),
                    p.student.name,
                    p.get_kind_display(),
                    p.get_level_display(),
                    "、".join(p.measure_labels),
                    p.reason,
                    str(p.owner),
                    cadence.label_for(p.cadence),
                    p.starts_on,
                    _local(p.last_contact_at),
                    p.next_due_on or "",
                    p.get_status_display(),
                    p.close_note,
                ]
                for p in plans.iterator(chunk_size=2000)
            ),
        ),
        (
            _("联系记录"),
            [
                _("时间"),
                _("班级"),
                _("学生"),
                _("方式"),
                _("联系人"),
                _("对象"),
                _("情况摘要"),
                _("下一步"),
                _("发现异常"),
                _("异常情况"),
            ],
            (
                [
                    _local(c.occurred_at),
                    str(c.student.klass),
                    c.student.name,
                    c.get_kind_display(),
                    str(c.staff),
                    c.participants,
                    c.summary,
                    c.next_step,
                    yes if c.anomaly else no,
                    c.anomaly_note,
                ]
                for c in contacts.iterator(chunk_size=2000)
            ),
        ),
        (
            _("干预任务"),
            [
                _("班级"),
                _("学生"),
                _("任务"),
                _("异常情况"),
                _("责任人"),
                _("完成期限"),
                _("状态"),
                _("处理结果"),
            ],
            (
                [
                    str(t.student.klass),
                    t.student.name,
                    t.title,
                    t.detail,
                    str(t.owner),
                    t.due_on,
                    t.get_status_display(),
                    t.outcome,
                ]
                for t in tasks.iterator(chunk_size=2000)
            ),
        ),
        (
            _("心理辅导"),
            [_("时间"), _("班级"), _("学生"), _("形式"), _("心理教师"), _("记录")],
            (
                [
                    _local(s.held_at),
                    str(s.student.klass),
                    s.student.name,
                    s.get_form_display(),
                    str(s.counsellor),
                    _("保密"),
                ]
                for s in sessions.iterator(chunk_size=2000)
            ),
        ),
        (
            _("同学互助"),
            [_("班级"), _("受助学生"), _("互助同学"), _("结对日期"), _("解除日期"), _("说明")],
            (
                [str(p.student.klass), p.student.name, p.helper.name, p.started_on, p.ended_on or "", p.note]
                for p in pairs.iterator(chunk_size=2000)
            ),
        ),
        (
            _("师生联系"),
            [_("班级"), _("学生"), _("联系教师"), _("起"), _("止")],
            (
                [str(c.student.klass), c.student.name, str(c.teacher), c.started_on, c.ended_on or ""]
                for c in links.iterator(chunk_size=2000)
            ),
        ),
    ]
    return xlsx_response(f"{_('关爱帮扶台账')}-{clock.today():%Y%m%d}.xlsx", sheets)
