"""案例警示 (R-EDU-3): the bureau drafts a de-identified lesson from a closed case or an outside
incident, edits the preview and publishes it; schools assign it to staff; staff mark it studied;
the bureau sees coverage per school."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anxin.core import policy
from anxin.core.access import check, get_for_user, require
from anxin.core.editing import form_errors
from anxin.core.listing import ScopedListView
from anxin.governance import forms, services
from anxin.governance.filters import LessonFilter
from anxin.governance.models import Lesson, LessonAssignment
from anxin.governance.views._common import school_for

L = "governance.lesson"


def _visible_lessons(user):
    """Published lessons for everyone who may read them; drafts only for those who write them."""
    qs = Lesson.objects.restrict(user, "view")
    if not policy.can(user, f"{L}.change"):
        qs = qs.filter(status=Lesson.Status.PUBLISHED)
    return qs


class LessonListView(ScopedListView):
    model = Lesson
    filterset_class = LessonFilter
    template_name = "governance/lesson_list.html"
    title = gettext_lazy("案例警示")
    export_action = "change"
    columns = [
        (gettext_lazy("标题"), "title"),
        (gettext_lazy("来源"), "origin"),
        (gettext_lazy("状态"), "status"),
        (gettext_lazy("发布时间"), "published_at"),
    ]

    def base_queryset(self):
        return _visible_lessons(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        mine = list(
            LessonAssignment.objects.filter(staff=user, lesson__status=Lesson.Status.PUBLISHED)
            .select_related("lesson")
            .order_by("studied_at", "-lesson__published_at")
        )
        ctx.update(mine=mine, can_write=policy.can(user, f"{L}.change"))
        return ctx


@login_required
def lesson_create(request):
    require(request, f"{L}.change")
    from anxin.cases.models import BullyingCase, CaseState

    cases = (
        BullyingCase.objects.restrict(request.user, "view")
        .filter(county_id=request.user.county_id, state=CaseState.CLOSED)
        .order_by("-closed_at")
    )
    # the case page's 编写案例警示 names the case (core.actions)
    form = forms.LessonStartForm(request.POST or None, cases=cases, initial={"case": request.GET.get("case")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            lesson = services.draft_lesson(
                request.user,
                request.user.county_id,
                title=d["title"],
                case=d["case"],
                outside_text=d["outside_text"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已生成去除身份信息的预览，请核对、编辑后发布。"))
            return redirect("governance:lesson_edit", pk=lesson.pk)
    return render(
        request,
        "governance/form.html",
        {
            "title": _("编写案例警示"),
            "form": form,
            "help": _(
                "吸取区内外学生欺凌事件，引以为鉴。平台自动去除姓名、班级、学号和证件号，并把日期模糊到旬。"
            ),
            "cancel": reverse("governance:lesson_list"),
        },
    )


@login_required
def lesson_edit(request, pk):
    lesson = get_for_user(request, Lesson, pk)
    check(request, lesson, "change")
    if lesson.status == Lesson.Status.PUBLISHED:
        return redirect("governance:lesson_detail", pk=lesson.pk)
    form = forms.LessonForm(
        request.POST or None,
        initial={"title": lesson.title, "summary": lesson.summary, "lessons": lesson.lessons},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_lesson(request.user, lesson.county_id, form.cleaned_data, lesson)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            if "publish" in request.POST:
                try:
                    services.publish_lesson(request.user, lesson)
                except ValidationError as exc:
                    form_errors(form, exc)
                    return render(request, "governance/lesson_edit.html", {"lesson": lesson, "form": form})
                messages.success(request, _("已发布，各校可布置教职工学习。"))
                return redirect("governance:lesson_detail", pk=lesson.pk)
            messages.success(request, _("草稿已保存。"))
            return redirect("governance:lesson_edit", pk=lesson.pk)
    return render(request, "governance/lesson_edit.html", {"lesson": lesson, "form": form})


@login_required
@require_POST
def lesson_publish(request, pk):
    lesson = get_for_user(request, Lesson, pk)
    check(request, lesson, "change")
    try:
        services.publish_lesson(request.user, lesson)
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
        return redirect("governance:lesson_edit", pk=lesson.pk)
    messages.success(request, _("已发布，各校可布置教职工学习。"))
    return redirect("governance:lesson_detail", pk=lesson.pk)


def coverage(lesson, user):
    """Every school of the county in the user's view: assigned and studied (two queries)."""
    from anxin.org.models import School

    got = {
        r["school_id"]: r
        for r in LessonAssignment.objects.restrict(user, "view")
        .filter(lesson=lesson)
        .values("school_id")
        .annotate(total=Count("id"), done=Count("id", filter=Q(studied_at__isnull=False)))
    }
    out = []
    for s in School.objects.restrict(user).filter(county_id=lesson.county_id).order_by("town", "name"):
        r = got.get(s.pk, {"total": 0, "done": 0})
        out.append({"school": s, "total": r["total"], "done": r["done"]})
    return out


@login_required
def lesson_detail(request, pk):
    lesson = get_for_user(request, Lesson, pk, queryset=_visible_lessons(request.user))
    user = request.user
    mine = LessonAssignment.objects.filter(lesson=lesson, staff=user).first()
    assign_form = None
    assigned = []
    school = None
    if lesson.status == Lesson.Status.PUBLISHED and policy.can(user, "governance.lessonassignment.change"):
        school = school_for(request, "governance.lessonassignment.change")
        if school is not None:
            assign_form = forms.AssignForm(school=school)
            assigned = list(
                LessonAssignment.objects.filter(lesson=lesson, school=school)
                .select_related("staff")
                .order_by("studied_at", "staff__real_name")
            )
    by_school = coverage(lesson, user) if policy.can(user, f"{L}.change") else []
    return render(
        request,
        "governance/lesson_detail.html",
        {
            "lesson": lesson,
            "mine": mine,
            "assign_form": assign_form,
            "assigned": assigned,
            "school": school,
            "coverage": by_school,
            "can_edit": lesson.status == Lesson.Status.DRAFT and policy.allows(user, lesson, "change"),
        },
    )


@login_required
@require_POST
def lesson_assign(request, pk):
    lesson = get_for_user(request, Lesson, pk, queryset=_visible_lessons(request.user))
    school = school_for(request, "governance.lessonassignment.change")
    if school is None:
        return redirect("governance:lesson_detail", pk=lesson.pk)
    check(request, LessonAssignment(county_id=school.county_id, school_id=school.pk), "change")
    form = forms.AssignForm(request.POST, school=school)
    if form.is_valid():
        try:
            made = services.assign_lesson(request.user, lesson, school, form.cleaned_data["staff"])
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        else:
            messages.success(request, _("已布置 %(n)d 人学习。") % {"n": len(made)})
    else:
        messages.error(request, _("请选择要学习的教职工。"))
    return redirect("governance:lesson_detail", pk=lesson.pk)


@login_required
@require_POST
def lesson_study(request, pk):
    a = get_for_user(
        request, LessonAssignment, pk, queryset=LessonAssignment.objects.filter(staff=request.user)
    )
    check(request, a, "study")
    services.mark_studied(request.user, a)
    messages.success(request, _("已标记为已学习。"))
    return redirect("governance:lesson_detail", pk=a.lesson_id)
