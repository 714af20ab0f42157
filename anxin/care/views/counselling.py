"""Counselling pages (R-CARE-4): the list, recording a session, a session (notes read audited)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anxin.care import services
from anxin.care.filters import SessionFilter
from anxin.care.forms import (
    SessionForm,
)
from anxin.care.models import (
    CounsellingSession,
)
from anxin.core import policy
from anxin.core.access import check, get_for_user, require
from anxin.core.listing import ScopedListView

from .common import _form_errors
from .plans import _pick_student

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
