"""Staff channels (首问负责制 intake, concerns, hand-over to a colleague; R-RPT-3) and triage
(R-RPT-4): acknowledge, urgency, linked students, merge, close, reopen, reply, notes.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.core.notify import notify
from anxin.intake import conf
from anxin.intake.data import Urgency, urgency_hints
from anxin.intake.models import (
    CONCERN_CHANNELS,
    INTAKE_CHANNELS,
    UNFOUNDED_KINDS,
    CloseKind,
    Concern,
    EventKind,
    Report,
    ReportMessage,
    ReportStudent,
    Sender,
    Status,
    StudentRole,
    TriageEvent,
)
from anxin.intake.signals import students_named

from .common import MIN_REASON_CHARS, _collect, clean_text, may_triage
from .submission import _queue_new_item_alert, _report_fields


# --- staff channels: 首问负责制 intake and concerns (R-RPT-3) -------------------------------
def record_intake(*, by, school, channel: str, data: dict) -> Report:
    """首问负责制: the staff member who takes a phone call, e-mail or visit records it and owns
    it until handed on. It enters the same triage inbox as every other report (LAW 17)."""
    if channel not in INTAKE_CHANNELS:
        raise ValidationError({"channel": [_("请选择反映方式：电话、邮件或来访。")]})
    fields = _report_fields(data, school=school)
    with transaction.atomic():
        report = Report.objects.create(
            county_id=school.county_id,
            school=school,
            channel=channel,
            raised_by=by,
            owner=by,
            hint_words=urgency_hints(fields["text"], fields["place"], fields["people"]),
            **fields,
        )
        transaction.on_commit(lambda: _queue_new_item_alert(report.pk), robust=True)
    return report


def raise_concern(
    *, by, school, text: str, student=None, source: str = "staff", place: str = "", flagged_from=None
) -> Concern:
    """A staff member's concern about a student (wave-2 interface). ``source`` is one of
    staff, monitoring, parent_phone, parent_visit, police, public_opinion; ``flagged_from`` is
    the record it came from (e.g. a monitoring duty log flagged 苗头). It arrives in the
    triage inbox; a named student is announced with ``students_named``."""
    if source not in CONCERN_CHANNELS:
        raise ValidationError({"source": [_("关注来源无效。")]})
    if student is not None and student.school_id != school.pk:
        raise ValidationError({"student": [_("学生不属于该学校。")]})
    fields = _collect(
        {
            "text": lambda: clean_text(
                text, label=_("情况说明"), max_chars=conf.max_text_chars(), required=True
            ),
            "place": lambda: clean_text(place, label=_("地点"), max_chars=100),
        }
    )
    with transaction.atomic():
        concern = Concern.objects.create(
            county_id=school.county_id,
            school=school,
            channel=source,
            student=student,
            raised_by=by,
            flagged_from_type=flagged_from._meta.label_lower if flagged_from is not None else "",
            flagged_from_id=str(flagged_from.pk) if flagged_from is not None else "",
            hint_words=urgency_hints(fields["text"], fields["place"]),
            **fields,
        )
        if student is not None:
            students_named.send(sender=Concern, school=school, students=[student], source_obj=concern)
        transaction.on_commit(lambda: _queue_new_item_alert(concern.pk), robust=True)
    return concern


def hand_over(report: Report, *, to, by, note: str = "") -> Report:
    """Pass ownership on (首问负责制 ends when someone who triages takes it over)."""
    if not may_triage(to, report.school):
        raise ValidationError(_("只能移交给本校分管安全副校长、校长或德育/政教主任。"))
    note = clean_text(note, label=_("移交说明"), max_chars=500)
    with transaction.atomic():
        locked = _lock(report)
        before = locked.owner_id
        locked.owner = to
        locked.save(update_fields=["owner", "updated_at"])
        _event(locked, EventKind.HANDED_OVER, by, note, {"from": before, "to": to.pk})
        notify(
            [to],
            kind="intake_handover",
            title=_("有一项反映移交给你（#%(n)d）") % {"n": locked.pk},
            url=reverse("intake:report_detail", args=[locked.pk]),
            dedupe_key=f"intake:report:{locked.pk}:handover:{to.pk}:{timezone.now().timestamp():.0f}",
            school=locked.school_id,
        )
    return locked


# --- triage (R-RPT-4) -----------------------------------------------------------------------
def _lock(report: Report) -> Report:
    return Report.objects.select_for_update().select_related("school").get(pk=report.pk)


def _event(report: Report, kind: str, by, text: str = "", data: dict | None = None) -> TriageEvent:
    return TriageEvent.objects.create(
        county_id=report.county_id,
        school_id=report.school_id,
        report=report,
        kind=kind,
        by=by,
        text=text,
        data=data or {},
    )


def _ack(report: Report, by) -> None:
    """Acknowledge on first touch: any triage act means someone has taken it up."""
    if report.status == Status.NEW:
        report.status = Status.OPEN
        report.acknowledged_at = timezone.now()
        report.acknowledged_by = by
        if report.owner_id is None:
            report.owner = by
        _event(report, EventKind.ACKNOWLEDGED, by)


def _require_active(report: Report) -> None:
    if report.status == Status.MERGED:
        raise ValidationError(_("这条已合并到 #%(n)d，请在那一条上处理。") % {"n": report.merged_into_id})
    if report.status == Status.CLOSED:
        raise ValidationError(_("这条已办结；如需继续处理，请先重新打开并说明理由。"))
    if report.status == Status.CASE:
        raise ValidationError(_("这条已转为欺凌事件 #%(n)s，请在事件中处理。") % {"n": report.case_id})


def _reason(reason: str, what: str) -> str:
    reason = clean_text(reason, label=what, max_chars=2000)
    if len(reason) < MIN_REASON_CHARS:
        raise ValidationError(
            _("请写明%(what)s（至少 %(n)d 个字），历史记录会保留。") % {"what": what, "n": MIN_REASON_CHARS}
        )
    return reason


def acknowledge(report: Report, *, by) -> Report:
    with transaction.atomic():
        locked = _lock(report)
        if locked.status != Status.NEW:
            raise ValidationError(_("这条已经受理过了。"))
        _ack(locked, by)
        locked.save()
    return locked


def set_urgency(report: Report, *, by, urgency: str, note: str = "") -> Report:
    """A person decides the urgency; the hint words were only a suggestion."""
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": [_("请选择紧急程度。")]})
    note = clean_text(note, label=_("说明"), max_chars=500)
    with transaction.atomic():
        locked = _lock(report)
        _require_active(locked)
        _ack(locked, by)
        before = locked.urgency
        locked.urgency = urgency
        locked.save()
        _event(
            locked,
            EventKind.URGENCY,
            by,
            note,
            {"from": before, "to": urgency, "hint_words": locked.hint_words},
        )
    return locked


def link_students(report: Report, *, by, links: Sequence[tuple]) -> list[ReportStudent]:
    """Link students of the school with their role; announce them (``students_named``)."""
    if not links:
        raise ValidationError(_("请选择要关联的学生。"))
    for student, role in links:
        if student.school_id != report.school_id:
            raise ValidationError(_("只能关联本校学生。"))
        if role not in StudentRole.values:
            raise ValidationError(_("学生身份无效。"))
    with transaction.atomic():
        locked = _lock(report)
        if locked.status in (Status.MERGED, Status.CLOSED):
            _require_active(locked)
        _ack(locked, by)
        locked.save()
        made, named = [], []
        for student, role in links:
            row, created = ReportStudent.objects.get_or_create(
                report=locked,
                student=student,
                defaults={
                    "county_id": locked.county_id,
                    "school_id": locked.school_id,
                    "role": role,
                    "linked_by": by,
                },
            )
            if created:
                made.append(row)
                named.append(student)
        if made:
            _event(locked, EventKind.LINKED, by, data={"students": [(r.student_id, r.role) for r in made]})
            students_named.send(sender=Report, school=locked.school, students=named, source_obj=locked)
    return made


def _root(report: Report) -> Report:
    seen = set()
    while report.merged_into_id and report.pk not in seen:
        seen.add(report.pk)
        report = Report.objects.get(pk=report.merged_into_id)
    return report


def merge(report: Report, *, into: Report, by, reason: str = "") -> Report:
    """Merge a duplicate into another item of the same school. The duplicate keeps its content
    and thread; the target carries the handling (R-RPT-4)."""
    reason = clean_text(reason, label=_("合并说明"), max_chars=500)
    target = _root(into)
    if target.school_id != report.school_id:
        raise ValidationError(_("只能合并同一学校的举报。"))
    if target.pk == report.pk:
        raise ValidationError(_("不能合并到它自己。"))
    with transaction.atomic():
        locked = _lock(report)
        _require_active(locked)
        target = Report.objects.select_for_update().get(pk=target.pk)
        _ack(locked, by)
        locked.status = Status.MERGED
        locked.merged_into = target
        locked.save()
        _event(locked, EventKind.MERGED, by, reason, {"into": target.pk})
        _event(target, EventKind.MERGED_IN, by, reason, {"from": locked.pk})
        # duplicates already merged into this one follow it to the target
        for dup in Report.objects.select_for_update().filter(merged_into=locked):
            dup.merged_into = target
            dup.save(update_fields=["merged_into", "updated_at"])
            _event(target, EventKind.MERGED_IN, by, reason, {"from": dup.pk, "via": locked.pk})
        if not target.urgency and locked.urgency:
            target.urgency = locked.urgency
            target.save(update_fields=["urgency", "updated_at"])
    return locked


def close(report: Report, *, by, kind: str, reason: str) -> Report:
    """Close without a case. A reason is required for every kind; prank and unfounded are
    closings too, and nothing is deleted (LAW 8)."""
    if kind not in CloseKind.values:
        raise ValidationError({"kind": [_("请选择办结类型。")]})
    reason = _reason(reason, _("办结理由"))
    with transaction.atomic():
        locked = _lock(report)
        _require_active(locked)
        _ack(locked, by)
        locked.status = Status.CLOSED
        locked.close_kind = kind
        locked.close_reason = reason
        locked.closed_at = timezone.now()
        locked.closed_by = by
        locked.save()
        _event(locked, EventKind.CLOSED, by, reason, {"kind": kind})
    return locked


def mark_unfounded(report: Report, *, by, kind: str = CloseKind.UNFOUNDED, reason: str) -> Report:
    """Mark as prank or unfounded — a closing with a reason, never a deletion (LAW 8)."""
    if kind not in UNFOUNDED_KINDS:
        raise ValidationError({"kind": [_("请选择“查无实据”或“恶作剧”。")]})
    return close(report, by=by, kind=kind, reason=reason)


def reopen(report: Report, *, by, reason: str) -> Report:
    """Reopen a closed item; the closing and its reason stay in the history."""
    reason = _reason(reason, _("重新打开的理由"))
    with transaction.atomic():
        locked = _lock(report)
        if locked.status != Status.CLOSED:
            raise ValidationError(_("只有已办结的才能重新打开。"))
        previous = {
            "kind": locked.close_kind,
            "reason": locked.close_reason,
            "closed_at": locked.closed_at.isoformat() if locked.closed_at else None,
        }
        locked.status = Status.OPEN
        locked.close_kind = ""
        locked.close_reason = ""
        locked.closed_at = None
        locked.closed_by = None
        locked.save()
        _event(locked, EventKind.REOPENED, by, reason, {"previous": previous})
    return locked


def reply(report: Report, *, by, body: str) -> ReportMessage:
    """The school answers the reporter through the follow-up code (shown as "学校")."""
    if not report.is_anonymous:
        raise ValidationError(_("这条不是匿名举报，没有跟进码通道；请直接联系反映人。"))
    body = clean_text(body, label=_("回复内容"), max_chars=conf.max_text_chars(), required=True)
    with transaction.atomic():
        locked = _lock(report)
        _ack(locked, by)
        locked.awaiting_reply = False
        locked.save()
        msg = ReportMessage.objects.create(
            county_id=locked.county_id,
            school_id=locked.school_id,
            report=locked,
            sender=Sender.SCHOOL,
            body=body,
            author=by,
        )
        _event(locked, EventKind.REPLIED, by, data={"message": msg.pk})
    return msg


def add_note(report: Report, *, by, text: str) -> TriageEvent:
    text = clean_text(text, label=_("备注"), max_chars=2000, required=True)
    with transaction.atomic():
        locked = _lock(report)
        return _event(locked, EventKind.NOTE, by, text)
