"""Organisation pages (R-ORG-1…5): schools, classes, the responsibility matrix, 学生安全员 and
the public contacts page. Views are thin: scope through core.access, rules in services."""

from __future__ import annotations

from collections import defaultdict

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anxin.core import audit, policy
from anxin.core.access import check, get_for_user, require
from anxin.core.editing import ServiceFormView
from anxin.core.listing import ScopedListView, current_school_id, drop_single_choices
from anxin.core.roles import Role
from anxin.core.xlsx import xlsx_response
from anxin.org import services
from anxin.org.filters import ClassFilter, ResponsibilityFilter, SafetyOfficerFilter, SchoolFilter
from anxin.org.forms import ClassCreateForm, ResponsibilityForm, SafetyOfficerForm, SchoolForm
from anxin.org.models import Duty, Grade, Responsibility, SafetyOfficer, School, SchoolClass


def _count_of(queryset, key: str):
    """A correlated COUNT subquery: one query for the whole page, no N+1."""
    sub = queryset.order_by().values(key).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(sub, output_field=IntegerField()), 0)


def _enrolled_students():
    # roster sits above org (docs/architecture.md): its model is found in the registry
    Student = apps.get_model("roster", "Student")

    return Student.objects.filter(status="enrolled")


def _reverse_or_none(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, **kwargs)
    except NoReverseMatch:  # the module is not installed (yet)
        return None


def public_url(school: School) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("public:school", args=[school.public_code])


# --- schools -----------------------------------------------------------------------------------


class SchoolListView(ScopedListView):
    model = School
    filterset_class = SchoolFilter
    template_name = "org/school_list.html"
    title = gettext_lazy("学校")
    export_name = gettext_lazy("学校名单")
    columns = [
        (gettext_lazy("学校名称"), "name"),
        (gettext_lazy("学校标识码"), "code"),
        (gettext_lazy("类型"), "type"),
        (gettext_lazy("乡镇"), "town"),
        (gettext_lazy("寄宿"), "boarding"),
        (gettext_lazy("班级数"), "class_count"),
        (gettext_lazy("学生数"), "student_count"),
    ]

    def base_queryset(self):
        return (
            super()
            .base_queryset()
            .annotate(
                class_count=_count_of(
                    SchoolClass.objects.filter(school=OuterRef("pk"), active=True), "school"
                ),
                student_count=_count_of(_enrolled_students().filter(school=OuterRef("pk")), "school"),
            )
            .order_by("town", "name", "pk")
        )


@login_required
def school_detail(request, pk):
    user = request.user
    school = get_for_user(request, School, pk, "view", queryset=School.objects.select_related("county"))
    classes = (
        SchoolClass.objects.restrict(user)
        .filter(school=school)
        .select_related("grade")
        .annotate(student_count=_count_of(_enrolled_students().filter(klass=OuterRef("pk")), "klass"))
        .order_by("grade__year", "name")
    )
    by_grade = defaultdict(list)
    for c in classes:
        by_grade[c.grade_id].append(c)
    grades = [
        {"grade": g, "classes": by_grade.get(g.pk, [])}
        for g in Grade.objects.restrict(user).filter(school=school).order_by("year")
    ]
    can_classes = policy.can(user, "org.schoolclass.view")
    ctx = {
        "title": school.name,
        "school": school,
        "grades": grades,
        "can_classes": can_classes,
        "class_count": SchoolClass.objects.filter(school=school, active=True).count(),
        "student_count": _enrolled_students().filter(school=school).count(),
        "can_edit": policy.allows(user, school, "change"),
        "can_add_class": policy.allows(
            user, SchoolClass(county_id=school.county_id, school_id=school.pk), "change"
        ),
        "public_url": public_url(school),
    }
    if policy.allows(user, Responsibility(county_id=school.county_id, school_id=school.pk), "view"):
        ctx["gaps"] = [Duty(d).label for d in services.missing_duties(school)]
        ctx["matrix_url"] = f"{reverse('org:responsibility_list')}?school={school.pk}"
    if ctx["can_add_class"]:
        ctx["class_form"] = ClassCreateForm(school=school)
    return render(request, "org/school_detail.html", ctx)


class SchoolEditView(ServiceFormView):
    """修改学校信息: the fields this user may change (services.editable_school_fields)."""

    model = School
    form_class = SchoolForm
    template_name = "org/school_edit.html"
    title = gettext_lazy("修改学校信息")
    success_message = gettext_lazy("学校信息已保存。")
    success_url_name = "org:school_detail"
    context_object_name = "school"

    def get_form_kwargs(self):
        editable = services.editable_school_fields(self.request.user, self.object)
        return {**super().get_form_kwargs(), "instance": self.object, "editable": editable}

    def save(self, form):
        services.update_school_contacts(
            self.request.user, self.object, {k: form.cleaned_data[k] for k in form.fields}
        )
        return self.object


school_edit = SchoolEditView.as_view()


# --- classes -----------------------------------------------------------------------------------
class ClassListView(ScopedListView):
    model = SchoolClass
    filterset_class = ClassFilter
    template_name = "org/class_list.html"
    title = gettext_lazy("班级")
    export_name = gettext_lazy("班级名单")
    select_related = ("school", "grade")
    columns = [
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("年级"), "grade.name"),
        (gettext_lazy("班级"), "name"),
        (gettext_lazy("班主任"), "class_teacher_name"),
        (gettext_lazy("学生数"), "student_count"),
    ]

    def base_queryset(self):
        from anxin.accounts.models import Membership

        teacher = (
            Membership.objects.active()
            .filter(klass=OuterRef("pk"), role=Role.CLASS_TEACHER)
            .order_by("started_on", "pk")
            .values("user__real_name")[:1]
        )
        return (
            super()
            .base_queryset()
            .annotate(
                class_teacher_name=Subquery(teacher),
                student_count=_count_of(_enrolled_students().filter(klass=OuterRef("pk")), "klass"),
            )
            .order_by("school__town", "school__name", "grade__year", "name", "pk")
        )


@login_required
def class_detail(request, pk):
    from anxin.accounts.models import Membership

    user = request.user
    klass = get_for_user(
        request, SchoolClass, pk, "view", queryset=SchoolClass.objects.select_related("school", "grade")
    )
    posts = list(
        Membership.objects.active()
        .filter(klass=klass, role__in=[Role.CLASS_TEACHER, Role.SUBJECT_TEACHER])
        .select_related("user")
        .order_by("role", "started_on")
    )
    probe = SafetyOfficer(county_id=klass.county_id, school_id=klass.school_id, klass_id=klass.pk)
    roster_url = _reverse_or_none("roster:student_list")
    ctx = {
        "title": str(klass),
        "klass": klass,
        "class_teachers": [m for m in posts if m.role == Role.CLASS_TEACHER],
        "subject_teachers": [m for m in posts if m.role == Role.SUBJECT_TEACHER],
        "student_count": _enrolled_students().filter(klass=klass).count(),
        "roster_url": f"{roster_url}?klass={klass.pk}"
        if roster_url and policy.can(user, "roster.student.view")
        else None,
        "can_view_officers": policy.allows(user, probe, "view"),
        "can_add_officer": policy.allows(user, probe, "change"),
    }
    if ctx["can_view_officers"]:
        ctx["officers"] = list(
            SafetyOfficer.objects.restrict(user)
            .filter(klass=klass, ended_on__isnull=True)
            .select_related("student")
            .order_by("appointed_on", "pk")
        )
    return render(request, "org/class_detail.html", ctx)


class ClassCreateView(ServiceFormView):
    """新建班级 at a school: an existing grade, or a new one made on the way."""

    model = School
    pk_url_kwarg = "school_pk"
    form_class = ClassCreateForm
    template_name = "org/class_create.html"
    title = gettext_lazy("新建班级")
    success_url_name = "org:class_detail"
    context_object_name = "school"

    def authorize(self):
        school = self.object
        check(self.request, SchoolClass(county_id=school.county_id, school_id=school.pk), "change")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "school": self.object}

    def save(self, form):
        data = form.cleaned_data
        try:
            grade = data["grade"] or services.create_grade(
                self.request.user,
                self.object,
                data["new_grade_name"],
                data["new_grade_stage"],
                data["new_grade_year"],
            )
            return services.create_class(self.request.user, grade, data["name"])
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "name" in exc.error_dict and not data["grade"]:
                # a duplicate grade name belongs to the new-grade field
                raise ValidationError({"new_grade_name": exc.error_dict["name"]}) from exc
            raise

    def get_success_message(self, result):
        return _("已新建班级：%(c)s") % {"c": result}


class_create = ClassCreateView.as_view()

# --- responsibility matrix (R-ORG-3) -----------------------------------------------------------


def matrix_schools(user):
    """Schools whose matrix the user may read: county roles all of their county's,
    school and class roles their own school."""
    qs = School.objects.restrict(user)
    ids = policy.schools_for(user, "org.responsibility.view")
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.order_by("town", "name", "pk")


def matrix_rows(school: School, resps, duty: str | None = None) -> list[dict]:
    """One row per accountable person; a required duty with nobody is a gap (未落实)."""
    by_duty = defaultdict(list)
    for r in resps:
        by_duty[r.duty].append(r)
    required = set(services.required_duties(school))
    rows = []
    for value, label in Duty.choices:
        if duty and value != duty:
            continue
        items = by_duty.get(value, [])
        for r in items:
            rows.append({"duty": value, "label": str(label), "resp": r})
        if not items and value in required:
            rows.append({"duty": value, "label": str(label), "resp": None})
    return rows


def _matrix_export(schools, duty: str | None):
    resps = defaultdict(list)
    qs = (
        Responsibility.objects.filter(school__in=[s.pk for s in schools])
        .select_related("person", "klass__grade")
        .order_by("school_id", "duty", "klass__grade__year", "klass__name", "pk")
    )
    for r in qs:
        resps[r.school_id].append(r)
    for school in schools:
        for row in matrix_rows(school, resps.get(school.pk, []), duty):
            r = row["resp"]
            if r is None:
                yield [school.name, row["label"], "", "", "", "", "", _("未落实")]
            else:
                yield [
                    school.name,
                    row["label"],
                    str(r.klass) if r.klass_id else "",
                    r.person.real_name or r.person.username,
                    r.post,
                    r.person.phone or "",
                    r.detail,
                    _("已落实"),
                ]


@login_required
def responsibility_list(request):
    user = request.user
    require(request, "org.responsibility.view")
    schools = matrix_schools(user)
    fs = ResponsibilityFilter(
        request.GET or None, queryset=Responsibility.objects.restrict(user), request=request
    )
    drop_single_choices(fs, user)
    valid = fs.is_bound and fs.is_valid()
    chosen = fs.form.cleaned_data.get("school") if valid else None
    duty = (fs.form.cleaned_data.get("duty") or None) if valid else None
    school = None
    if chosen is not None:
        school = schools.filter(pk=chosen.pk).first()
        if school is None:
            raise Http404
    elif current_school_id(request):
        school = schools.filter(pk=current_school_id(request)).first()
    if school is None:
        single = list(schools[:2])
        if len(single) == 1:
            school = single[0]

    if request.GET.get("format") == "xlsx":
        require(request, "org.responsibility.export")
        targets = [school] if school else list(schools)
        audit.append(
            "export",
            object_type="org.responsibility",
            county_id=school.county_id if school else None,
            school_id=school.pk if school else None,
            data={
                "filters": {k: v for k, v in request.GET.items() if k != "format"},
                "schools": len(targets),
            },
        )
        header = [
            _("学校"),
            _("职责"),
            _("班级"),
            _("责任人"),
            _("岗位"),
            _("联系电话"),
            _("具体内容"),
            _("落实情况"),
        ]
        name = f"{_('岗位责任清单')}-{school.name + '-' if school else ''}{timezone.localdate():%Y%m%d}.xlsx"
        return xlsx_response(name, [(_("岗位责任清单"), header, _matrix_export(targets, duty))])

    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "title": _("岗位责任清单"),
        "filter": fs,
        "school": school,
        "duty": duty,
        "query": query.urlencode(),
        "can_export": policy.can(user, "org.responsibility.export"),
    }
    if school is not None:
        resps = list(
            Responsibility.objects.restrict(user)
            .filter(school=school)
            .select_related("person", "klass__grade")
            .order_by("duty", "klass__grade__year", "klass__name", "pk")
        )
        rows = matrix_rows(school, resps, duty)
        ctx.update(
            rows=rows,
            gap_count=sum(1 for r in rows if r["resp"] is None),
            can_change=policy.allows(
                user, Responsibility(county_id=school.county_id, school_id=school.pk), "change"
            ),
        )
    else:
        page = Paginator(schools, settings.ANXIN_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
        page_schools = list(page.object_list)
        assigned = defaultdict(set)
        for sid, d in (
            Responsibility.objects.filter(school__in=[s.pk for s in page_schools])
            .values_list("school_id", "duty")
            .distinct()
        ):
            assigned[sid].add(d)
        ctx.update(
            page_obj=page,
            overview=[_overview_row(s, assigned[s.pk]) for s in page_schools],
        )
    return render(request, "org/responsibility_list.html", ctx)


def _overview_row(school: School, assigned: set[str]) -> dict:
    required = services.required_duties(school)
    gaps = services.missing_duties(school, assigned)
    return {
        "school": school,
        "required": len(required),
        "done": len(required) - len(gaps),
        "gaps": [str(Duty(d).label) for d in gaps],
    }


class ResponsibilityEditView(ServiceFormView):
    """设置责任人 at a school: ``?duty=…&klass=…`` opens the form on the current holder."""

    model = School
    pk_url_kwarg = "school_pk"
    form_class = ResponsibilityForm
    template_name = "org/responsibility_edit.html"
    title = gettext_lazy("设置责任人")
    context_object_name = "school"

    def authorize(self):
        school = self.object
        check(self.request, Responsibility(county_id=school.county_id, school_id=school.pk), "change")

    def get_initial(self):
        initial = {}
        duty = self.request.GET.get("duty")
        if duty in Duty.values:
            initial["duty"] = duty
            klass_id = self.request.GET.get("klass")
            current = Responsibility.objects.filter(
                school=self.object,
                duty=duty,
                klass_id=int(klass_id) if klass_id and klass_id.isdigit() else None,
            ).first()
            if current:
                initial.update(
                    person=current.person_id, post=current.post, detail=current.detail, klass=current.klass_id
                )
        return initial

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "school": self.object}

    def save(self, form):
        data = form.cleaned_data
        services.set_responsibility(
            self.request.user,
            self.object,
            data["duty"],
            data["person"],
            detail=data["detail"],
            post=data["post"],
            klass=data["klass"],
        )
        return data["duty"]

    def get_success_message(self, result):
        return _("已落实：%(d)s") % {"d": Duty(result).label}

    def get_success_url(self, result):
        return f"{reverse('org:responsibility_list')}?school={self.object.pk}"


responsibility_edit = ResponsibilityEditView.as_view()


@require_POST
@login_required
def responsibility_delete(request, pk):
    resp = get_for_user(request, Responsibility, pk, "view")
    check(request, resp, "change")
    school_id = resp.school_id
    services.remove_responsibility(request.user, resp)
    messages.success(request, _("已移除该责任人。"))
    return redirect(f"{reverse('org:responsibility_list')}?school={school_id}")


# --- 学生安全员 (R-ORG-4) -----------------------------------------------------------------------
class SafetyOfficerListView(ScopedListView):
    model = SafetyOfficer
    filterset_class = SafetyOfficerFilter
    template_name = "org/safety_officer_list.html"
    title = gettext_lazy("学生安全员")
    export_name = gettext_lazy("学生安全员名单")
    select_related = ("school", "klass__grade", "student")
    columns = [
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("班级"), "klass_name"),
        (gettext_lazy("学生安全员"), "student.name"),
        (gettext_lazy("职责说明"), "duties"),
        (gettext_lazy("任命日期"), "appointed_on"),
        (gettext_lazy("卸任日期"), "ended_on"),
    ]

    def klass_name(self, obj) -> str:
        return str(obj.klass)

    def base_queryset(self):
        return (
            super()
            .base_queryset()
            .order_by(
                "school__town", "school__name", "klass__grade__year", "klass__name", "appointed_on", "pk"
            )
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rows = list(ctx["object_list"])
        for o in rows:
            o.can_end = o.ended_on is None and policy.allows(self.request.user, o, "change")
        ctx["object_list"] = rows
        klass = (
            ctx["filter"].form.cleaned_data.get("klass")
            if ctx["filter"] and ctx["filter"].is_bound and ctx["filter"].is_valid()
            else None
        )
        if klass is not None and policy.allows(
            self.request.user,
            SafetyOfficer(county_id=klass.county_id, school_id=klass.school_id, klass_id=klass.pk),
            "change",
        ):
            ctx["add_class"] = klass
        return ctx


class SafetyOfficerAddView(ServiceFormView):
    """设置学生安全员 in a class: one of its enrolled students not already serving."""

    model = SchoolClass
    pk_url_kwarg = "class_pk"
    form_class = SafetyOfficerForm
    template_name = "org/safety_officer_add.html"
    title = gettext_lazy("设置学生安全员")
    success_message = gettext_lazy("已设置学生安全员。")

    def get_queryset(self):
        return SchoolClass.objects.select_related("school", "grade")

    def authorize(self):
        klass = self.object
        check(
            self.request,
            SafetyOfficer(county_id=klass.county_id, school_id=klass.school_id, klass_id=klass.pk),
            "change",
        )

    def get_form_kwargs(self):
        Student = apps.get_model("roster", "Student")

        current = SafetyOfficer.objects.filter(klass=self.object, ended_on__isnull=True).values("student_id")
        students = (
            Student.objects.restrict(self.request.user)
            .filter(klass=self.object, status="enrolled")
            .exclude(pk__in=current)
            .order_by("name", "pk")
        )
        return {**super().get_form_kwargs(), "students": students}

    def save(self, form):
        return services.appoint_safety_officer(
            self.request.user, self.object, form.cleaned_data["student"], form.cleaned_data["duties"]
        )

    def get_success_url(self, result):
        return reverse("org:class_detail", args=[self.object.pk])

    def get_context_data(self, **kwargs):
        return super().get_context_data(klass=self.object, **kwargs)


safety_officer_add = SafetyOfficerAddView.as_view()


@require_POST
@login_required
def safety_officer_end(request, pk):
    officer = get_for_user(request, SafetyOfficer, pk, "view")
    check(request, officer, "change")
    try:
        services.end_safety_officer(request.user, officer)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("学生安全员已卸任。"))
    return redirect("org:class_detail", pk=officer.klass_id)


# --- public contacts page (R-ORG-5): no login ------------------------------------------------


def public_school(request, public_code):
    """A school's published anti-bullying contacts (二(六) 在显著位置公布学校欺凌防治电话、邮箱和
    分管安全工作校领导电话，畅通学生诉求通道). Only published phones; no names of anyone."""
    school = (
        School.objects.select_related("county")
        .only(
            "name",
            "antibullying_phone",
            "antibullying_email",
            "safety_leader_phone",
            "legal_vp_phone",
            "public_code",
            "county__bureau_name",
            "county__bureau_phone",
        )
        .filter(public_code=public_code, active=True)
        .first()
    )
    if school is None:
        raise Http404
    response = render(request, "org/public_school.html", {"title": school.name, "school": school})
    response["X-Robots-Tag"] = "noindex"
    return response
