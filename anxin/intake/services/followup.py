"""Follow-up (two-way, anonymous): the reporter finds the report by code, reads the thread and
writes again; the triagers are told.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from anxin.core.notify import notify
from anxin.intake import codes, conf, uploads
from anxin.intake.data import urgency_hints
from anxin.intake.models import (
    EventKind,
    FollowUpCode,
    Report,
    ReportMessage,
    Sender,
)

from .common import clean_text, triagers
from .submission import _attach, _enqueue, _prepare_files
from .triage import _event


# --- follow-up (two-way, anonymous) ---------------------------------------------------------
def find_by_code(school, raw_code: str) -> Report | None:
    """The report a follow-up code opens, or None. See ``codes`` for the constant-time check."""
    normal = codes.normalise(raw_code)
    candidate = codes.code_hash(normal or "-")
    row = (
        FollowUpCode.objects.filter(code_hash=candidate, school=school).select_related("report").first()
        if normal
        else None
    )
    if not codes.matches(row.code_hash if row else None, candidate):
        return None
    return row.report


def thread(report: Report) -> list[ReportMessage]:
    return list(report.messages.prefetch_related("attachments"))


def add_reporter_message(report: Report, *, body: str, files: Sequence = ()) -> ReportMessage:
    """The reporter adds information or evidence through the follow-up page."""
    body = clean_text(body, label=_("补充内容"), max_chars=conf.max_text_chars())
    prepared = _prepare_files(files)
    if not body and not prepared:
        raise ValidationError(_("请填写补充内容或选择要上传的证据。"))
    already = report.attachments.count()
    if already + len(prepared) > conf.max_files() * 4:
        raise ValidationError(_("这份举报的证据已达上限，请直接联系学校。"))
    stored = [uploads.store(report.school_id, p) for p in prepared]
    try:
        with transaction.atomic():
            locked = Report.objects.select_for_update().get(pk=report.pk)
            msg = ReportMessage.objects.create(
                county_id=locked.county_id,
                school_id=locked.school_id,
                report=locked,
                sender=Sender.REPORTER,
                body=body,
            )
            for item, name in zip(prepared, stored, strict=True):
                _attach(locked, item, name, message=msg)
            words = urgency_hints(body)
            _event(
                locked,
                EventKind.REPORTER_MESSAGE,
                None,
                data={"message": msg.pk, "files": len(prepared), "hint_words": words},
            )
            locked.awaiting_reply = True
            locked.save(update_fields=["awaiting_reply", "updated_at"])
            transaction.on_commit(lambda: _queue_reporter_message_alert(locked.pk, msg.pk), robust=True)
    except BaseException:
        uploads.discard(stored)
        raise
    return msg


def _queue_reporter_message_alert(report_id: int, message_id: int) -> None:
    from anxin.intake.tasks import alert_reporter_message

    _enqueue(alert_reporter_message, alert_reporter_message_now, report_id, message_id)


def alert_reporter_message_now(report_id: int, message_id: int) -> None:
    report = Report.objects.select_related("school", "owner", "acknowledged_by").filter(pk=report_id).first()
    if report is None:
        return
    people = [u for u in (report.owner, report.acknowledged_by) if u is not None] or triagers(report.school)
    notify(
        people,
        kind="intake_message",
        title=_("举报人补充了信息（#%(n)d）") % {"n": report.pk},
        url=reverse("intake:report_detail", args=[report.pk]),
        dedupe_key=f"intake:message:{message_id}",
        school=report.school,
    )
