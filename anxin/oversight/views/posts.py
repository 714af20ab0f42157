"""监督岗 pages (R-SUP-4): the school's posts with their gaps, a post's shifts, "my posts" for
the staff on duty (phone-first) and the one-minute observation form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anxin.core import audit, clock, policy
from anxin.core.access import check, deny, get_for_user, require
from anxin.core.editing import form_errors
from anxin.core.listing import ScopedListView, current_school_id
from anxin.core.xlsx import xlsx_response
from anxin.oversight import forms, services
from anxin.oversight.filters import ObservationFilter
from anxin.oversight.models import Observation, Post, PostShift
from anxin.oversight.posts import states

POST = "oversight.post"


def _school_for(request, perm: str):
    from anxin.screening.views._common import _school_for as screening_school_for  # one rule

    return screening_school_for(request, perm)


def _pick(request, perm: str, title):
    from anxin.screening.views._common import _schools

    return render(request, "screening/pick_school.html", {"title": title, "schools": _schools(request, perm)})


def _officer_text(user, shift) -> str:
    """The shift's 学生安全员 as this user may see them: class and name for those who may read
    the safety officers (org.safetyofficer.view), else only that one is arranged."""
    if not shift.officer_id:
        return ""
    if policy.allows(user, shift.officer, "view"):
        return f"{shift.officer.klass} {shift.officer.student.name}"
    return str(_("学生安全员（已安排）"))


def _form_page(request, form, title, *, subtitle="", cancel="", help_text="", hidden=None):
    return render(
        request,
        "oversight/form.html",
        {
            "title": title,
            "subtitle": subtitle,
            "form": form,
            "cancel": cancel,
            "help": help_text,
            "hidden": hidden or {},
        },
    )


@login_required
def post_list(request):
    require(request, f"{POST}.view")
    qs = (
        Post.objects.restrict(request.user, "view")
        .select_related("school", "hazard")
        .order_by("school_id", "name")
    )
    school = current_school_id(request)
    if school:
        qs = qs.filter(school_id=school)
    rows = states(qs[:500])
    if request.GET.get("format") == "xlsx":
        require(request, f"{POST}.export")
        header = [_("学校"), _("监督岗"), _("地点"), _("值岗安排"), _("缺岗"), _("隐患点无摄像头"), _("在用")]
        data = [
            [
                r.post.school.name,
                r.post.name,
                r.post.where,
                "；".join(
                    f"{s} {s.staff or '—'}{' / ' + _officer_text(request.user, s) if s.officer_id else ''}"
                    for s in r.shifts
                ),
                "；".join(r.gaps),
                _("是") if r.no_camera else "",
                _("是") if r.post.active else _("否"),
            ]
            for r in rows
        ]
        response = xlsx_response(f"监督岗-{clock.today():%Y%m%d}.xlsx", [(_("监督岗"), header, data)])
        audit.append("export", object_type="oversight.post", data={"school": school or ""})
        return response
    return render(
        request,
        "oversight/post_list.html",
        {
            "title": _("监督岗"),
            "rows": rows,
            "gaps": sum(1 for r in rows if r.post.active and r.gaps),
            "bare": sum(1 for r in rows if r.post.active and r.no_camera),
            "can_add": policy.can(request.user, f"{POST}.change"),
            "can_export": policy.can(request.user, f"{POST}.export"),
        },
    )


@login_required
def post_create(request):
    school = _school_for(request, f"{POST}.change")
    if school is None:
        return _pick(request, f"{POST}.change", _("设立监督岗"))
    check(request, Post(county_id=school.county_id, school_id=school.pk), "change")
    form = forms.PostForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            post = services.save_post(by=request.user, school=school, data=form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已设立监督岗，请安排值岗。"))
            return redirect("oversight:post_detail", pk=post.pk)
    return _form_page(
        request,
        form,
        _("设立监督岗"),
        subtitle=school.name,
        cancel=reverse("oversight:post_list"),
        hidden={"school": school.pk},
        help_text=_("在隐患点等重点部位设立监督岗，由教职工和学生安全员按班次值岗（处处设有监督岗）。"),
    )


@login_required
def post_edit(request, pk):
    post = get_for_user(request, Post, pk, queryset=Post.objects.select_related("school", "hazard"))
    check(request, post, "change")
    initial = {
        "name": post.name,
        "hazard": post.hazard,
        "place": post.place,
        "duties": post.duties,
        "active": post.active,
    }
    form = forms.PostForm(request.POST or None, school=post.school, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_post(by=request.user, school=post.school, data=form.cleaned_data, post=post)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("oversight:post_detail", pk=post.pk)
    return _form_page(
        request,
        form,
        _("修改监督岗"),
        subtitle=post.name,
        cancel=reverse("oversight:post_detail", args=[post.pk]),
    )


@login_required
def post_detail(request, pk):
    post = get_for_user(request, Post, pk, queryset=Post.objects.select_related("school", "hazard"))
    (state,) = states([post])
    for shift in state.shifts:
        shift.officer_text = _officer_text(request.user, shift)
    can_change = policy.allows(request.user, post, "change")
    obs = Observation.objects.filter(post=post).select_related("recorded_by")
    if not policy.allows(
        request.user, Observation(county_id=post.county_id, school_id=post.school_id), "view"
    ):
        obs = obs.filter(recorded_by=request.user)
    return render(
        request,
        "oversight/post_detail.html",
        {
            "post": post,
            "state": state,
            "can_change": can_change,
            "can_record": services.may_record(request.user, post),
            "observations": obs[:20],
        },
    )


def _shift_form(request, post, shift=None):
    check(request, post, "change")
    initial = {}
    if shift is not None:
        initial = {f: getattr(shift, f) for f in ("weekday", "start_time", "end_time", "staff", "officer")}
    form = forms.ShiftForm(request.POST or None, school=post.school, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_shift(by=request.user, post=post, data=form.cleaned_data, shift=shift)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已保存值岗安排。"))
            return redirect("oversight:post_detail", pk=post.pk)
    return _form_page(
        request,
        form,
        _("值岗安排"),
        subtitle=post.name,
        cancel=reverse("oversight:post_detail", args=[post.pk]),
        help_text=_("每个班次须有一名教职工值岗；学生安全员协助。只有学生安全员的班次列为缺岗。"),
    )


@login_required
def shift_create(request, pk):
    post = get_for_user(request, Post, pk, queryset=Post.objects.select_related("school"))
    return _shift_form(request, post)


@login_required
def shift_edit(request, pk):
    shift = get_for_user(request, PostShift, pk, queryset=PostShift.objects.select_related("post__school"))
    return _shift_form(request, shift.post, shift)


@login_required
@require_POST
def shift_delete(request, pk):
    shift = get_for_user(request, PostShift, pk, queryset=PostShift.objects.select_related("post"))
    check(request, shift.post, "change")
    services.delete_shift(by=request.user, shift=shift)
    messages.success(request, _("已删除该班次。"))
    return redirect("oversight:post_detail", pk=shift.post_id)


@login_required
def my_posts(request):
    """The posts where the user stands a shift, today's first (phone-first)."""
    require(request, "oversight.observation.change")
    today = clock.local_now().isoweekday()
    shifts = (
        PostShift.objects.filter(staff=request.user, post__active=True)
        .select_related("post", "officer__student", "officer__klass")
        .order_by("post__name", "weekday", "start_time")
    )
    posts: dict[int, dict] = {}
    for s in shifts:
        s.officer_text = _officer_text(request.user, s)
        row = posts.setdefault(s.post_id, {"post": s.post, "today": [], "other": []})
        (row["today"] if s.weekday == today else row["other"]).append(s)
    rows = sorted(posts.values(), key=lambda r: (not r["today"], r["post"].name))
    mine = Observation.objects.filter(recorded_by=request.user).select_related("post")[:10]
    return render(
        request, "oversight/my_posts.html", {"rows": rows, "observations": mine, "title": _("我的监督岗")}
    )


@login_required
def observe(request, pk):
    post = get_for_user(request, Post, pk, queryset=Post.objects.select_related("school", "hazard"))
    if not services.may_record(request.user, post):
        deny(request, "oversight.observation.change", "oversight.post", post.pk)
    form = forms.ObservationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            obs = services.record_observation(by=request.user, post=post, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        except PermissionDenied:
            deny(request, "oversight.observation.change", "oversight.post", post.pk)
        else:
            if obs.flagged:
                messages.warning(request, _("已记录并作为苗头报送分管安全副校长研判。"))
            else:
                messages.success(request, _("已记录，写入监控值守记录。"))
            return redirect("oversight:my_posts")
    return render(request, "oversight/observe.html", {"post": post, "form": form})


class ObservationListView(ScopedListView):
    model = Observation
    filterset_class = ObservationFilter
    template_name = "oversight/observation_list.html"
    title = gettext_lazy("监督岗记录")
    select_related = ("school", "post", "recorded_by")
    export_action = "view"
    columns = [
        (gettext_lazy("时间"), "at"),
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("监督岗"), "post.name"),
        (gettext_lazy("值岗情况"), "summary"),
        (gettext_lazy("发现苗头"), "flagged"),
        (gettext_lazy("记录人"), "recorded_by"),
    ]
