"""Education and training activities (R-EDU-1): the register, recording one, its classes, staff
and materials, closing it, and the check-in QR code shown in the room."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anxin.core import audit, clock, policy
from anxin.core.access import deny, get_for_user, require
from anxin.core.editing import form_errors
from anxin.core.listing import ScopedListView
from anxin.education import checkin as qr
from anxin.education import forms, services
from anxin.education.filters import ActivityFilter
from anxin.education.models import Activity, CheckIn, Kind, Material, StaffAttendance
from anxin.education.permissions import STAFF, WATCH
from anxin.education.views._common import pick_school, school_for
from anxin.governance import files

A = "education.activity"


def visible(user):
    """Activities the user may read; at a school where they are only 法治副校长, the ones they
    present or recorded (school by school: a 法治副校长 who also teaches elsewhere reads all of
    that other school's, and only their own here)."""
    from django.db.models import Q

    qs = Activity.objects.restrict(user, "view")
    posts = [m for m in policy.memberships(user) if m.role in (STAFF | WATCH)]
    if any(m.school_id is None for m in posts):  # a county post (the bureau): the whole county
        return qs
    return qs.filter(Q(school_id__in={m.school_id for m in posts}) | Q(presenter=user) | Q(created_by=user))


class ActivityListView(ScopedListView):
    model = Activity
    filterset_class = ActivityFilter
    template_name = "education/activity_list.html"
    title = gettext_lazy("教育培训活动")
    select_related = ("school", "presenter")
    columns = [
        (gettext_lazy("日期"), "held_on"),
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("类型"), "kind"),
        (gettext_lazy("主题"), "title"),
        (gettext_lazy("培训对象"), "staff_level"),
        (gettext_lazy("所学法律"), "laws_text"),
        (gettext_lazy("主讲人"), "presenter_label"),
        (gettext_lazy("参加班级"), "class_count"),
        (gettext_lazy("参加教职工"), "staff_count"),
        (gettext_lazy("参加家长"), "parents_count"),
    ]

    def base_queryset(self):
        from django.db.models import Count

        qs = visible(self.request.user).select_related(*self.select_related)
        from anxin.core.listing import current_school_id

        school = current_school_id(self.request)
        if school:
            qs = qs.filter(school_id=school)
        return qs.annotate(
            n_classes=Count("classes", distinct=True), n_staff=Count("staff", distinct=True)
        ).order_by("-held_on", "-id")

    def laws_text(self, obj):
        return obj.get_laws_display()

    def class_count(self, obj):
        return obj.n_classes

    def staff_count(self, obj):
        return obj.n_staff

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = policy.can(self.request.user, f"{A}.change")
        # a class teacher (or a leader) records a 主题班会 in one step from here too, not only from the duty
        ctx["can_meeting"] = policy.can(self.request.user, f"{A}.class_meeting")
        return ctx


def _form_page(request, form, title, school, cancel, multipart=False):
    return render(
        request,
        "education/activity_form.html",
        {"title": title, "form": form, "school": school, "cancel": cancel, "multipart": multipart},
    )


@login_required
def activity_create(request):
    school = school_for(request, f"{A}.change")
    if school is None:
        return pick_school(request, f"{A}.change", _("登记教育培训活动"))
    legal_vp = not services.manages(request.user, school.pk)
    initial = {}
    if request.GET.get("kind") in Kind.values:
        initial["kind"] = request.GET["kind"]
    form = forms.ActivityForm(
        request.POST or None, initial=initial, presenters=services.presenters(school.pk), legal_vp=legal_vp
    )
    if request.method == "POST" and form.is_valid():
        try:
            a = services.create_activity(request.user, school, form.cleaned_data)
        except ValidationError as e:
            form_errors(form, e)
        else:
            messages.success(request, _("已登记活动。"))
            nxt = "activity_classes" if a.kind == Kind.CLASS_MEETING else "activity_detail"
            return redirect(f"education:{nxt}", a.pk)
    return _form_page(request, form, _("登记教育培训活动"), school, reverse("education:activity_list"))


@login_required
def class_meeting_create(request):
    """A class teacher records their class's 主题班会 in one form (a leader or 德育/政教主任 may
    too, for any class of the school); the class's coverage counts it at once."""
    require(request, f"{A}.class_meeting")
    classes = services.meeting_classes(request.user)
    if not classes.exists():
        deny(request, f"{A}.class_meeting")
    initial = {"held_on": clock.today(), "title": _("防欺凌主题班会")}
    wanted = request.GET.get("klass", "")
    if wanted.isdigit() and classes.filter(pk=int(wanted)).exists():
        initial["klass"] = int(wanted)
    form = forms.ClassMeetingForm(request.POST or None, initial=initial, classes=classes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_class_meeting(request.user, data["klass"], data)
        except ValidationError as e:
            form_errors(form, e)
        else:
            messages.success(request, _("已登记主题班会。"))
            return redirect("core:home")
    return _form_page(request, form, _("登记主题班会"), None, reverse("core:home"))


@login_required
def activity_edit(request, pk):
    a = get_for_user(request, Activity, pk, "change")
    form = forms.ActivityForm(
        request.POST or None,
        instance=a,
        presenters=services.presenters(a.school_id),
        legal_vp=not services.manages(request.user, a.school_id),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_activity(request.user, a, form.cleaned_data)
        except ValidationError as e:
            form_errors(form, e)
        else:
            messages.success(request, _("已保存。"))
            return redirect("education:activity_detail", a.pk)
    return _form_page(request, form, _("修改活动"), None, reverse("education:activity_detail", args=[a.pk]))


@login_required
def activity_detail(request, pk):
    a = get_for_user(
        request,
        Activity,
        pk,
        queryset=visible(request.user).select_related("school", "presenter", "created_by"),
    )
    user = request.user
    classes = list(a.classes.select_related("klass__grade"))
    staff = list(a.staff.select_related("user").order_by("via", "created_at"))
    can_edit = policy.allows(user, a, "change") and (
        services.manages(user, a.school_id) or user.pk in (a.presenter_id, a.created_by_id)
    )
    mine = next((s for s in staff if s.user_id == user.pk), None)
    return render(
        request,
        "education/activity_detail.html",
        {
            "title": a.title,
            "a": a,
            "classes": classes,
            "staff": staff,
            "materials": list(a.materials.all()),
            "can_edit": can_edit,
            "mine": mine,
            "can_checkin": a.is_open and policy.allows(user, a, "checkin") and mine is None,
            "material_form": forms.MaterialForm(),
            "is_class_meeting": a.kind == Kind.CLASS_MEETING,
            "is_training": a.kind == Kind.STAFF_TRAINING,
        },
    )


def _editable(request, pk) -> Activity:
    a = get_for_user(request, Activity, pk, "change")
    if not (
        services.manages(request.user, a.school_id) or request.user.pk in (a.presenter_id, a.created_by_id)
    ):
        deny(request, f"{A}.change", "education.activity", a.pk)  # 403, audited
    return a


@login_required
def activity_classes(request, pk):
    """Which classes took part (主题班会: the classes that held it), with students present."""
    from anxin.org.models import SchoolClass

    a = _editable(request, pk)
    classes = list(
        SchoolClass.objects.filter(school_id=a.school_id, active=True)
        .select_related("grade")
        .order_by("grade__year", "grade__name", "name")
    )
    have = {c.klass_id: c.students for c in a.classes.all()}
    error = ""
    if request.method == "POST":
        chosen = {}
        for c in classes:
            if request.POST.get(f"c{c.pk}"):
                raw = (request.POST.get(f"n{c.pk}") or "").strip()
                chosen[c.pk] = int(raw) if raw.isdigit() else None
        try:
            services.set_classes(request.user, a, chosen)
        except ValidationError as e:
            error = "；".join(e.messages)
        else:
            messages.success(request, _("已保存参加班级（%(n)s个班）。") % {"n": len(chosen)})
            return redirect("education:activity_detail", a.pk)
        have = {k: v for k, v in chosen.items()}
    rows = [(c, c.pk in have, have.get(c.pk)) for c in classes]
    return render(
        request,
        "education/activity_classes.html",
        {"title": _("参加班级"), "a": a, "rows": rows, "error": error},
    )


@login_required
def activity_staff(request, pk):
    """Staff present, ticked from the school's posts (QR check-ins stay as they are)."""
    a = _editable(request, pk)
    staff = list(services.school_staff(a.school_id))
    present = dict(StaffAttendance.objects.filter(activity=a).values_list("user_id", "via"))
    posts = _posts(a.school_id)
    error = ""
    if request.method == "POST":
        chosen = [u.pk for u in staff if request.POST.get(f"u{u.pk}")]
        try:
            n = services.set_staff(request.user, a, chosen)
        except ValidationError as e:
            error = "；".join(e.messages)
        else:
            messages.success(request, _("已保存参加人员，共%(n)s人。") % {"n": n})
            return redirect("education:activity_detail", a.pk)
    rows = [(u, posts.get(u.pk, ""), u.pk in present, present.get(u.pk) == CheckIn.QR) for u in staff]
    return render(
        request,
        "education/activity_staff.html",
        {"title": _("参加教职工"), "a": a, "rows": rows, "error": error},
    )


def _posts(school_id: int) -> dict[int, str]:
    from anxin.accounts.models import Membership
    from anxin.core.roles import Role

    labels = dict(Role.choices)
    out: dict[int, list[str]] = {}
    for uid, role in (
        Membership.objects.active()
        .filter(school_id=school_id, role__in=list(STAFF))
        .values_list("user_id", "role")
    ):
        out.setdefault(uid, []).append(str(labels[role]))
    return {k: "、".join(v) for k, v in out.items()}


@login_required
@require_POST
def activity_material(request, pk):
    a = _editable(request, pk)
    try:
        services.add_material(request.user, a, request.FILES.get("file"))
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, _("已上传材料。"))
    return redirect("education:activity_detail", a.pk)


@login_required
def material_download(request, pk):
    m = get_for_user(request, Material, pk, queryset=Material.objects.select_related("activity"))
    if not visible(request.user).filter(pk=m.activity_id).exists():
        deny(request, f"{A}.view", "education.activity", m.activity_id)
    return files.download(m, filename=f"活动材料-{m.pk}", view="education:material_download")


@login_required
@require_POST
def activity_close(request, pk):
    a = _editable(request, pk)
    services.close_activity(request.user, a)
    messages.success(request, _("活动已结束，签到已关闭。"))
    return redirect("education:activity_detail", a.pk)


@login_required
@require_POST
def activity_reopen(request, pk):
    a = _editable(request, pk)
    services.reopen_activity(request.user, a)
    messages.success(request, _("活动已重新开放签到。"))
    return redirect("education:activity_detail", a.pk)


@login_required
def activity_qr(request, pk):
    """The check-in code to show in the room; the page draws a fresh code every few minutes."""
    a = _editable(request, pk)
    url = qr.checkin_url(a)
    audit.record("read", a, data={"view": "education:activity_qr"})
    return render(
        request,
        "education/activity_qr.html",
        {
            "title": _("扫码签到"),
            "a": a,
            "qr": qr.qr_svg(url) if a.is_open else "",
            "refresh": qr.REFRESH_SECONDS,
            "count": a.staff.count(),
            "minutes": qr.max_age() // 60,
        },
    )
