"""Registers (R-SCR-2, R-SCR-3): vulnerable students and their categories, the
bullying-tendency register and its reviews."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anxin.core import clock, policy
from anxin.core.access import get_for_user, require
from anxin.core.crypto import encrypted_fields
from anxin.core.editing import ServiceFormView, post_inline_form
from anxin.core.listing import ScopedListView
from anxin.roster.models import Student
from anxin.screening import case_links, risk_rules, services
from anxin.screening import filters as f
from anxin.screening import forms as sf
from anxin.screening.models import RiskState, TendencyEntry, VulnerabilityCategory, VulnerabilityEntry
from anxin.screening.views._common import _int

# --- registers (R-SCR-2, R-SCR-3) -----------------------------------------------------------------


class VulnerabilityListView(ScopedListView):
    model = VulnerabilityEntry
    filterset_class = f.VulnerabilityFilter
    template_name = "screening/vulnerable_list.html"
    title = gettext_lazy("弱势学生台账")
    export_name = gettext_lazy("弱势学生台账")
    select_related = ("student__klass__grade", "category", "school")
    unread_on_page = encrypted_fields(Student, "student__")  # (the name and class are shown)
    columns = [
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("班级"), "klass_name"),
        (gettext_lazy("学生"), "student.name"),
        (gettext_lazy("类别"), "category.name"),
        (gettext_lazy("来源"), "source"),
        (gettext_lazy("说明"), "note"),
        (gettext_lazy("登记日期"), "started_on"),
        (gettext_lazy("移出日期"), "ended_on"),
        (gettext_lazy("移出原因"), "end_reason"),
        (gettext_lazy("风险等级"), "level_label"),
    ]

    def base_queryset(self):
        qs = (
            super()
            .base_queryset()
            .order_by(
                "student__klass__grade__year", "student__klass__name", "student__name", "category__position"
            )
        )
        if not self.request.GET.get("state"):
            qs = qs.filter(ended_on__isnull=True)
        # the student's risk level in the same query (page and export)
        level = RiskState.objects.filter(student_id=OuterRef("student_id")).values("level")[:1]
        return qs.annotate(risk_level=Subquery(level))

    def klass_name(self, obj):
        return str(obj.student.klass)

    def level_label(self, obj):
        return services.level_label(obj.risk_level or risk_rules.GREEN)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = policy.can(self.request.user, "screening.vulnerabilityentry.change")
        return ctx


def _students_for(request, perm: str):
    """Enrolled students on whom the user holds ``perm`` (class teachers: own class), through
    the policy's scope filter applied to the student's keys."""
    q = policy.scope_q(request.user, Student, perm)
    if q is None:
        return Student.objects.none()
    return (
        Student.objects.filter(q, status="enrolled")
        .select_related("klass__grade")
        .order_by("klass__grade__year", "klass__name", "name")
    )


class StudentFormView(ServiceFormView):
    """A register page about one student (?student= preselects them), on ``screening/form.html``:
    the form offers the enrolled students the user holds ``permission`` on."""

    template_name = "screening/form.html"

    def get_initial(self) -> dict:
        return {"student": _int(self.request.GET.get("student"))}

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "students": _students_for(self.request, self.permission)}


class VulnerableCreateView(StudentFormView):
    permission = "screening.vulnerabilityentry.change"
    form_class = sf.VulnerabilityForm
    title = gettext_lazy("登记弱势学生")
    cancel_url = reverse_lazy("screening:vulnerable_list")
    help_text = gettext_lazy(
        "摸清弱势学生（留守儿童、性格内向学生、家境困难等）（贺教发〔2024〕7号 三、第一阶段）。名册中的留守、随迁、孤儿、资助标记会自动登记。"
    )

    def get_form_kwargs(self) -> dict:
        county_id = self.request.user.county_id
        services.ensure_categories(county_id) if county_id else None
        cats = VulnerabilityCategory.objects.filter(county_id=county_id, active=True).order_by(
            "position", "id"
        )
        return {**super().get_form_kwargs(), "categories": cats}

    def save(self, form):
        return services.add_vulnerability(by=self.request.user, **form.cleaned_data)

    def get_success_message(self, result) -> str:
        return _("已登记：%(s)s（%(c)s）") % {"s": result.student.name, "c": result.category.name}

    def get_success_url(self, result) -> str:
        return reverse("screening:vulnerable_list")


vulnerable_create = VulnerableCreateView.as_view()


class VulnerableEndView(ServiceFormView):
    model = VulnerabilityEntry
    form_class = sf.EndForm
    template_name = "screening/form.html"
    title = gettext_lazy("移出弱势学生台账")
    cancel_url = reverse_lazy("screening:vulnerable_list")
    success_message = gettext_lazy("已移出台账。")

    def get_queryset(self):
        return VulnerabilityEntry.objects.select_related("student", "category")

    def get_context_data(self, **kwargs) -> dict:
        e = self.object
        ctx = {"subtitle": f"{e.student.name} · {e.category.name}", "confirm": _("确定要移出台账吗？")}
        return super().get_context_data(**{**ctx, **kwargs})

    def save(self, form):
        return services.end_vulnerability(
            by=self.request.user, entry=self.object, reason=form.cleaned_data["end_reason"]
        )

    def get_success_url(self, result) -> str:
        return reverse("screening:vulnerable_list")


vulnerable_end = VulnerableEndView.as_view()


@login_required
def category_list(request):
    require(request, "screening.vulnerabilitycategory.view")
    county_id = request.user.county_id
    if county_id:
        services.ensure_categories(county_id)
    cats = VulnerabilityCategory.objects.restrict(request.user).order_by("position", "id")
    return render(
        request,
        "screening/category_list.html",
        {
            "title": _("弱势学生类别"),
            "categories": cats,
            "can_change": policy.can(request.user, "screening.vulnerabilitycategory.change"),
        },
    )


class CategoryEditView(ServiceFormView):
    """新增/修改弱势类别: the county's own list (a category's code stays once made)."""

    permission = "screening.vulnerabilitycategory.change"
    form_class = sf.CategoryForm
    template_name = "screening/form.html"
    cancel_url = reverse_lazy("screening:category_list")
    success_message = gettext_lazy("已保存。")

    def get_object(self):
        # the permission and the county first, then the category (in scope for ``change``)
        require(self.request, self.permission)
        self.county = self.request.user.county
        if self.county is None:
            raise Http404
        pk = self.kwargs.get("pk")
        return get_for_user(self.request, VulnerabilityCategory, pk, "change") if pk else None

    def authorize(self) -> None:
        pass  # done in get_object, in the page's order

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_form(self):
        form = super().get_form()
        if self.object is not None:
            form.fields["code"].disabled = True
        return form

    def get_context_data(self, **kwargs) -> dict:
        title = _("修改弱势类别") if self.object else _("新增弱势类别")
        return super().get_context_data(**{"title": title, **kwargs})

    def save(self, form):
        d = form.cleaned_data
        return services.save_category(
            by=self.request.user,
            county=self.county,
            code=d["code"],
            name=d["name"],
            active=d["active"],
            position=d["position"],
            category=self.object,
        )

    def get_success_url(self, result) -> str:
        return reverse("screening:category_list")


category_edit = CategoryEditView.as_view()


class TendencyListView(ScopedListView):
    model = TendencyEntry
    filterset_class = f.TendencyFilter
    template_name = "screening/tendency_list.html"
    title = gettext_lazy("欺凌倾向台账")
    export_name = gettext_lazy("欺凌倾向台账")
    select_related = ("student__klass__grade", "school")
    unread_on_page = encrypted_fields(Student, "student__")  # (the name and class are shown)
    columns = [
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("班级"), "klass_name"),
        (gettext_lazy("学生"), "student.name"),
        (gettext_lazy("列入依据"), "grounds"),
        (gettext_lazy("来源"), "source"),
        (gettext_lazy("列入日期"), "added_on"),
        (gettext_lazy("下次复核日期"), "review_due"),
        (gettext_lazy("上次复核日期"), "last_reviewed_on"),
        (gettext_lazy("状态"), "status"),
        (gettext_lazy("移出理由"), "closed_reason"),
    ]

    def base_queryset(self):
        qs = super().base_queryset().order_by("status", "review_due", "id")
        if not self.request.GET.get("status"):
            qs = qs.filter(status=TendencyEntry.Status.ACTIVE)
        return qs

    def klass_name(self, obj):
        return str(obj.student.klass)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = policy.can(self.request.user, "screening.tendencyentry.change")
        ctx["today"] = clock.today()
        return ctx


class TendencyCreateView(StudentFormView):
    permission = "screening.tendencyentry.change"
    form_class = sf.TendencyForm
    title = gettext_lazy("列入欺凌倾向台账")
    cancel_url = reverse_lazy("screening:tendency_list")
    help_text = gettext_lazy(
        "掌握欺凌者或有欺凌他人倾向学生情况，重点盯防，严防再次欺凌（贺教发〔2024〕7号 三）。列入后该学生再出现在举报、关注线索或事件中时，会提醒分管安全副校长。"
    )
    success_message = gettext_lazy("已列入欺凌倾向台账。")

    def save(self, form):
        return services.add_tendency(by=self.request.user, **form.cleaned_data)

    def get_success_url(self, result) -> str:
        return reverse("screening:tendency_detail", args=[result.pk])


tendency_create = TendencyCreateView.as_view()


@login_required
def tendency_detail(request, pk):
    e = get_for_user(
        request,
        TendencyEntry,
        pk,
        "view",
        sensitive=True,
        queryset=TendencyEntry.objects.select_related("student__klass__grade", "school", "added_by"),
    )
    can_change = policy.allows(request.user, e, "change")
    form = sf.ReviewForm(request.POST or None)
    done = post_inline_form(
        request,
        e,
        form,
        lambda data: services.review_tendency(by=request.user, entry=e, **data),
        message=_("复核已记录。"),
        success_url=reverse("screening:tendency_detail", args=[e.pk]),
    )
    if done:
        return done
    return render(
        request,
        "screening/tendency_detail.html",
        {
            "title": _("欺凌倾向台账"),
            "e": e,
            "form": form,
            "can_change": can_change and e.status == "active",
            "reviews": e.reviews.select_related("reviewed_by"),
            "level": services.risk_level(e.student_id),
            "cases": case_links.visible_cases(request.user, e.case_ids),
            "can_risk": policy.can(request.user, "screening.riskstate.view"),
        },
    )
