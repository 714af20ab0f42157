"""Hand-over to the cases app: a triaged item becomes a bullying case with its linked students."""

from __future__ import annotations

import inspect
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from anxin.core import clock
from anxin.intake.models import (
    INTAKE_CHANNELS,
    Channel,
    Concern,
    EventKind,
    Report,
    Status,
    StudentRole,
)

from .common import clean_text
from .submission import place_text
from .triage import _ack, _event, _lock, _require_active

# --- hand-over to the cases app --------------------------------------------------------------
CASE_SOURCE = {
    Channel.FORM: "anonymous_report",
    Channel.MINIAPP: "anonymous_report",
    Channel.PHONE: "hotline",
    Channel.EMAIL: "email",
    Channel.VISIT: "parent",
    Channel.STAFF: "staff",
    Channel.MONITORING: "monitoring",
    Channel.PARENT_PHONE: "parent",
    Channel.PARENT_VISIT: "parent",
    Channel.POLICE: "police",
    Channel.PUBLIC_OPINION: "public_opinion",
}


def _open_case_function():
    """cases.services.open_case when the cases app provides it (``intake.hooks``), else None
    (the report stays held in triage and the button is not shown)."""
    from anxin.intake import hooks

    return hooks.case_opener()


def case_opening_available() -> bool:
    return _open_case_function() is not None


def case_url(report: Report) -> str | None:
    if not report.case_id:
        return None
    from django.urls import NoReverseMatch

    try:
        return reverse("cases:case_detail", args=[report.case_id])
    except NoReverseMatch:
        return None


def open_case(report: Report, *, by, summary: str = ""):
    """Turn the item into a bullying case (cases.open_case), carrying its linked students."""
    fn = _open_case_function()
    if fn is None:
        raise ValidationError(_("欺凌事件模块尚未启用，请先受理并保留这条举报。"))
    summary = clean_text(summary, label=_("事件摘要"), max_chars=2000)
    with transaction.atomic():
        locked = _lock(report)
        _require_active(locked)
        _ack(locked, by)
        students = [(ls.student, ls.role) for ls in locked.linked_students.select_related("student")]
        if locked.student_id and all(s.pk != locked.student_id for s, _r in students):
            students.append((locked.student, StudentRole.VICTIM))
        channel = locked.channel
        source = CASE_SOURCE[channel]
        if channel == Channel.VISIT and locked.reporter_kind != "parent":
            source = "staff"
        kwargs = {"concern": Concern.objects.get(pk=locked.pk)} if locked.is_concern else {"report": locked}
        # optional details the cases app may accept beyond the agreed interface
        extra = {
            "behaviour_types": list(locked.behaviours or []),
            "first_responder": locked.raised_by if channel in INTAKE_CHANNELS else None,
        }
        accepted = inspect.signature(fn).parameters
        kwargs.update({k: v for k, v in extra.items() if v and k in accepted})
        occurred_at = None
        if locked.occurred_on:
            occurred_at = datetime.combine(locked.occurred_on, datetime.min.time(), tzinfo=clock.SHANGHAI)
        try:
            case = fn(
                by=by,
                school=locked.school,
                source=source,
                discovered_at=locked.created_at,
                summary=summary or locked.text[:2000],
                place=place_text(locked),
                occurred_at=occurred_at,
                students=students,
                **kwargs,
            )
        except PermissionDenied:
            raise ValidationError(_("你没有在该校登记欺凌事件的权限。")) from None
        locked.status = Status.CASE
        locked.case_id = case.pk
        locked.save()
        _event(locked, EventKind.CASE_OPENED, by, data={"case": case.pk})
    return case
