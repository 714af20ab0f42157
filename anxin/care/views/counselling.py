"""Counselling pages (R-CARE-4): the list, recording a session, a session (notes read audited)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
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
from anxin.core.access import get_for_user
from anxin.core.crypto import encrypted_fields
from anxin.core.listing import ScopedListView
from anxin.roster.models import Student

from .plans import StudentFormView

# --- counselling (R-CARE-4) --------------------------------------------------------------------


class SessionListView(ScopedListView):
    """Who was counselled, when and by whom: never the notes."""

    model = CounsellingSession
    filterset_class = SessionFilter
    template_name = "care/session_list.html"
    title = gettext_lazy("心理辅导")
    select_related = ("student__klass__grade", "counsellor")
    unread_on_page = encrypted_fields(Student, "student__")  # (the name and class are shown)

    def base_queryset(self):
        return super().base_queryset().defer("notes").order_by("-held_at", "-pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_create"] = policy.can(self.request.user, "care.counsellingsession.change")
        ctx["can_notes"] = policy.can(self.request.user, "care.counsellingsession.notes")
        return ctx


class SessionCreateView(StudentFormView):
    """记录心理辅导 for a student; the notes are stored encrypted."""

    permission = "care.counsellingsession.change"
    probe_model = CounsellingSession
    pick_url_name = "care:session_create"
    form_class = SessionForm
    template_name = "care/session_form.html"
    title = gettext_lazy("记录心理辅导")
    success_message = gettext_lazy("心理辅导已记录（记录内容加密保存）。")
    success_url_name = "care:session_detail"

    def save(self, form):
        return services.record_counselling(self.request.user, student=self.object, **form.cleaned_data)


session_create = SessionCreateView.as_view()


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
