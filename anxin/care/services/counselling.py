"""Counselling (R-CARE-4): sessions, and notes read only by those allowed, every read audited."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from anxin.care.models import (
    CarePlan,
    ContactKind,
    CounsellingSession,
)
from anxin.core import audit, clock, policy

from .common import _require
from .contacts import log_contact
from .plans import _plan_for

# --- counselling (R-CARE-4) -----------------------------------------------------------------------


def can_read_notes(user, session: CounsellingSession) -> bool:
    return policy.allows(user, session, "notes")


def read_notes(by, session: CounsellingSession, *, via: str = "page") -> str:
    """The notes of a session, for the counsellors and the safety leader of the school only;
    every read is audited (LAW 18, 20)."""
    if not can_read_notes(by, session):
        audit.record("denied", session, result="denied", data={"perm": "care.counsellingsession.notes"})
        raise PermissionDenied("care.counsellingsession.notes")
    audit.record("read", session, data={"field": "notes", "via": via})
    return session.notes


@transaction.atomic
def record_counselling(
    by,
    *,
    student,
    notes: str,
    held_at: dt.datetime | None = None,
    form: str = CounsellingSession.Form.INDIVIDUAL,
    duration_minutes: int | None = None,
    next_on: dt.date | None = None,
    plan: CarePlan | None = None,
) -> CounsellingSession:
    """A counselling session by the acting counsellor. The plan's timeline gets a contact that
    says counselling happened, with none of its content."""
    held_at = held_at or clock.now()
    session = CounsellingSession(
        county_id=student.county_id,
        school_id=student.school_id,
        student=student,
        counsellor=by,
        held_at=held_at,
        form=form,
        duration_minutes=duration_minutes or None,
        notes=(notes or "").strip(),
        next_on=next_on,
    )
    _require(by, session, "change")
    errors = {}
    if not session.notes:
        errors["notes"] = _("请填写辅导记录。")
    if held_at > clock.now() + dt.timedelta(minutes=5):
        errors["held_at"] = _("辅导时间不能晚于现在。")
    if form not in CounsellingSession.Form.values:
        errors["form"] = _("请选择辅导形式。")
    if errors:
        raise ValidationError(errors)
    if plan is not None and plan.student_id != student.pk:
        raise ValidationError(_("计划与学生不符。"))
    session.plan = plan or _plan_for(student, ContactKind.COUNSELLING)
    session.save()
    log_contact(
        by,
        student=student,
        plan=session.plan if session.plan and session.plan.is_active else None,
        kind=ContactKind.COUNSELLING,
        summary=_("已开展%(form)s（辅导记录保密，仅心理教师和分管安全副校长可阅）")
        % {"form": session.get_form_display()},
        occurred_at=held_at,
        session=session,
    )
    return session
