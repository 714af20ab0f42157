"""二(六) mechanisms pages: 师生联系, 同学互助, 家校互通 — the overview and one class."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from anxin.care import services
from anxin.care.forms import (
    ContactTeacherForm,
    PeerPairForm,
)
from anxin.care.models import (
    ContactKind,
    ContactLog,
    ContactTeacher,
    PeerPair,
)
from anxin.core import policy
from anxin.core.access import check, get_for_user, require
from anxin.core.editing import form_errors
from anxin.core.listing import current_school_id

from .common import _enrolled_in

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
            form_errors(pair_form if op == "pair" else teacher_form, exc)
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
