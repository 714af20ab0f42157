"""Roster pages (R-ORG-6): the student list and record, edit and class moves, and importing
rosters from Excel with a row-by-row report. Views parse input, call roster.services, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anxin.core import audit, policy
from anxin.core.access import deny, get_for_user, require
from anxin.core.crypto import encrypted_fields
from anxin.core.duties import id_path
from anxin.core.listing import ScopedListView, choice_labels
from anxin.core.xlsx import XLSX
from anxin.roster import hub as student_hub
from anxin.roster import services
from anxin.roster.filters import StudentFilter
from anxin.roster.forms import (
    CommitForm,
    GuardianFormSet,
    MoveForm,
    StudentForm,
    StudentNoLookupForm,
    UploadForm,
)
from anxin.roster.importer import ETHNICITY_LABEL
from anxin.roster.models import RosterImport, StaffImport, Student, mask_student_no, student_no_indexes_for

IMPORT_PERMS = ("roster.student.import", "roster.staff.import")


class StudentListView(ScopedListView):
    """学生名单: everyone with roster.student.view, in their scope (a class teacher: their class)."""

    model = Student
    filterset_class = StudentFilter
    template_name = "roster/student_list.html"
    title = gettext_lazy("学生名单")
    export_name = "学生名册"
    columns = [(h, h) for h in services.EXPORT_HEADER]
    select_related = ("school", "klass__grade")
    # every encrypted field but the 学籍号, which the page shows masked
    unread_on_page = tuple(f for f in encrypted_fields(Student) if f != "student_no")

    def base_queryset(self):
        qs = super().base_queryset()
        if self.request.GET.get("format") == "xlsx":
            qs = qs.prefetch_related("guardians")  # per chunk of the export's iterator
        return qs

    def export_row(self, obj):
        return services.export_row(obj)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["lookup_form"] = kwargs.get("lookup_form") or StudentNoLookupForm()
        ctx["rows"] = _rows(ctx["object_list"].values(*_ROW_FIELDS))
        return ctx

    def post(self, request, *args, **kwargs):
        """按学籍号查找: the number comes in a POST body, the answer is a redirect to the
        student's page by id, so no 学籍号 is ever in a URL. Only students the user may see
        are found (the detail page then audits the read)."""
        require(request, policy.perm_name(Student, self.action))
        form = StudentNoLookupForm(request.POST)
        if form.is_valid():
            indexes = student_no_indexes_for(form.cleaned_data["student_no"])
            student = (
                Student.objects.restrict(request.user, "view").filter(student_no_index__in=indexes).first()
            )
            if student is not None:
                return redirect("roster:student_detail", pk=student.pk)
            form.add_error("student_no", _("未找到该学籍号的学生（或不在您的查看范围内）。"))
        return self.render_to_response(self.get_context_data(lookup_form=form), status=400)


# what a row of the page shows, read as values (no student, school, class or grade object per row)
_ROW_FIELDS = (
    "pk",
    "name",
    "student_no",
    "sex",
    "klass_id",
    "klass__grade__name",
    "klass__name",
    "school__name",
    "status",
)


def _rows(students) -> list[dict]:
    """The page's rows as plain strings, made once here rather than resolved cell by cell in
    the template (labels of choices, the class, the student page's address); ``students`` are
    dicts of ``_ROW_FIELDS``."""
    sexes, statuses = choice_labels(Student, "sex", "status")
    page_of = id_path("roster:student_detail")
    return [
        {
            "name": s["name"],
            "url": page_of(s["pk"]),
            "student_no": mask_student_no(s["student_no"]),
            "sex": sexes.get(s["sex"], s["sex"]),
            "klass": f"{s['klass__grade__name']}{s['klass__name']}" if s["klass_id"] else "",
            "school": s["school__name"],
            "status": statuses.get(s["status"], s["status"]),
            "enrolled": s["status"] == "enrolled",
        }
        for s in students
    ]


student_list = StudentListView.as_view()


def _student_context(request, student: Student, **extra) -> dict:
    user = request.user
    can_change = policy.allows(user, student, "change")
    ctx = {
        "title": student.name,
        "student": student,
        "guardians": list(student.guardians.all()),
        "placements": list(
            student.placements.select_related("school", "klass__grade").order_by("-started_on", "-id")
        ),
        "can_change": can_change,
        "can_sensitive": policy.allows(user, student, "sensitive"),
        "ethnicity_label": ETHNICITY_LABEL.get(student.ethnicity, ""),
        "move_form": MoveForm(user=user, student=student) if can_change else None,
    }
    ctx.update(extra)
    return ctx


@require_GET
@login_required
def student_detail(request, pk: int):
    """The record: guardians, placement history; the ID number masked, health and disability
    data hidden (see student_sensitive). A minor's record: the read is audited (LAW 18)."""
    queryset = Student.objects.select_related("school", "klass__grade")
    student = get_for_user(request, Student, pk, "detail", queryset=queryset)
    hub = student_hub.build(request.user, student)  # the hub: each part only to those allowed
    audit.record("read", student, data={"view": "roster:student_detail", "sections": hub.sections})
    return render(
        request,
        "roster/student_detail.html",
        _student_context(request, student, show_sensitive=False, hub=hub),
    )


@require_POST
@login_required
def student_sensitive(request, pk: int):
    """ "查看敏感信息": the record with the ID number, health and disability data, for holders
    of roster.student.sensitive in the student's scope; every such read is audited (LAW 18)."""
    require(request, "roster.student.sensitive")
    queryset = Student.objects.select_related("school", "klass__grade")
    student = get_for_user(request, Student, pk, "sensitive", sensitive=True, queryset=queryset)
    return render(
        request, "roster/student_detail.html", _student_context(request, student, show_sensitive=True)
    )


@login_required
def student_edit(request, pk: int):
    student = get_for_user(
        request, Student, pk, "change", queryset=Student.objects.select_related("school", "klass")
    )
    form = StudentForm(request.POST or None, instance=student)
    guardians = GuardianFormSet(request.POST or None, instance=student, prefix="g")
    if request.method == "POST" and form.is_valid() and guardians.is_valid():
        services.save_student(form, guardians, request.user)
        messages.success(request, _("已保存。"))
        return redirect("roster:student_detail", pk=student.pk)
    return render(
        request,
        "roster/student_form.html",
        {"title": _("修改学生信息"), "student": student, "form": form, "guardians": guardians},
    )


@require_POST
@login_required
def student_move(request, pk: int):
    """调班/转学 within the user's change scope; the placement history is kept."""
    student = get_for_user(request, Student, pk, "change")
    form = MoveForm(request.POST, user=request.user, student=student)
    if form.is_valid():
        try:
            services.move_student(
                student, form.cleaned_data["klass"], request.user, form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已调班，原就读经历已保留。"))
    else:
        errors = [e for errs in form.errors.values() for e in errs]
        messages.error(request, _("调班未完成：") + "；".join(errors))
    return redirect("roster:student_detail", pk=student.pk)


# --- imports ------------------------------------------------------------------------------------


def _require_any_import(request) -> None:
    if not any(policy.can(request.user, p) for p in IMPORT_PERMS):
        deny(request, IMPORT_PERMS[0])


def _get_import(request, pk) -> RosterImport:
    """The import if the user may see it (student imports by roster.student.import, staff
    imports by roster.staff.import); else 404 and an audited denial."""
    kind = (
        RosterImport.objects.filter(pk=pk if str(pk).isdigit() else 0).values_list("kind", flat=True).first()
    )
    base = RosterImport.objects.select_related("school", "uploaded_by")
    if kind == RosterImport.Kind.STAFF:
        ri = get_for_user(
            request,
            StaffImport,
            pk,
            "import",
            queryset=StaffImport.objects.select_related("school", "uploaded_by").filter(kind=kind),
        )
        return base.get(pk=ri.pk)
    return get_for_user(
        request, RosterImport, pk, "import", queryset=base.filter(kind=RosterImport.Kind.STUDENTS)
    )


@login_required
def import_list(request):
    """Past imports and the upload form."""
    _require_any_import(request)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            ri = services.validate_upload(
                form.cleaned_data["file"],
                form.cleaned_data["school"],
                request.user,
                form.cleaned_data["create_classes"],
                kind=form.cleaned_data["kind"],
            )
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        else:
            return redirect("roster:import_detail", pk=ri.pk)
    imports = services.visible_imports(request.user).select_related("school", "uploaded_by")
    page = Paginator(imports.order_by("-created_at", "-id"), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "roster/import_list.html",
        {
            "title": _("名册导入"),
            "form": form,
            "page_obj": page,
            "object_list": page.object_list,
            "can_students": policy.can(request.user, "roster.student.import"),
            "can_staff": policy.can(request.user, "roster.staff.import"),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def import_detail(request, pk: int):
    """The validation report and, once imported, what the import did. A staff import's
    initial passwords are shown once, to its uploader, on a POST ("显示初始密码"): a reload,
    a prefetch or a link preview (GET) does not use them up."""
    ri = _get_import(request, pk)
    passwords = []
    staff_done = ri.kind == RosterImport.Kind.STAFF and ri.status == RosterImport.Status.DONE
    if staff_done and request.method == "POST":
        passwords = services.take_passwords(ri, request.user)
        if not passwords:
            messages.info(request, _("初始密码已显示过，无法再次查看。"))
            return redirect("roster:import_detail", pk=ri.pk)
    passwords_pending = (
        staff_done
        and not passwords
        and ri.uploaded_by_id == request.user.pk
        and bool((ri.result or {}).get("secret"))
    )
    result = ri.result or {}
    return render(
        request,
        "roster/import_detail.html",
        {
            "title": _("导入报告"),
            "ri": ri,
            "result": result,
            "preview": result.get("preview") or {},
            "error_count": result.get("error_count", len(ri.errors)),
            "commit_form": CommitForm(roster_import=ri),
            "passwords": passwords,
            "passwords_pending": passwords_pending,
            "committable": ri.status in (RosterImport.Status.VALIDATED, RosterImport.Status.FAILED),
        },
    )


@require_POST
@login_required
def import_commit(request, pk: int):
    """导入: refused when the file has errors unless "only valid rows" is explicitly confirmed."""
    ri = _get_import(request, pk)
    form = CommitForm(request.POST, roster_import=ri)
    if not form.is_valid():
        for e in form.non_field_errors():
            messages.error(request, e)
        return redirect("roster:import_detail", pk=ri.pk)
    try:
        ri = services.queue_commit(ri, bool(form.cleaned_data.get("only_valid")), request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if ri.status == RosterImport.Status.DONE:
            messages.success(request, _("导入完成。"))
        elif ri.status == RosterImport.Status.FAILED:
            messages.error(request, (ri.result or {}).get("error") or _("导入失败。"))
        else:
            messages.info(request, _("已开始导入，请稍后刷新本页查看结果。"))
    return redirect(reverse("roster:import_detail", kwargs={"pk": ri.pk}))


def _template(request, kind: str, filename: str) -> HttpResponse:
    require(request, services.PERM_FOR_KIND[kind])
    response = HttpResponse(services.template_bytes(kind), content_type=XLSX)
    from django.utils.encoding import escape_uri_path

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response


@login_required
def template(request):
    return _template(request, RosterImport.Kind.STUDENTS, "学生名册导入模板.xlsx")


@login_required
def staff_template(request):
    return _template(request, RosterImport.Kind.STAFF, "教职工导入模板.xlsx")
