"""Hand a report to the school it concerns, or up to the county (R-RPT-4: nothing is lost).

A report reaches a school through that school's own form or poster, but the reporter may mean
another school, or none of ours. The school's triagers then hand it on — to another school of
the county, or up to the county inbox when they cannot tell which school — with a reason; the
bureau's safety staff hand what reaches the county on to the right school. The content is never
edited: the report, its messages, evidence and triage history move together, the follow-up code
keeps working where the reporter wrote, and each move is a triage event in the audit trail.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from anxin.core.notify import notify
from anxin.intake.models import (
    EventKind,
    Report,
    ReportAttachment,
    ReportMessage,
    Status,
    TriageEvent,
)
from anxin.intake.services import _lock, _reason, _require_active, bureau_safety, triagers


def transfer(report: Report, *, by, reason: str, to_school=None) -> Report:
    """Move ``report`` to ``to_school`` (a school of the same county), or — ``to_school`` None —
    up to the county inbox. The sender stops seeing it; the receivers see it as new (待受理).
    The caller checked the right: triage at the sending school, or the county inbox right for
    a report already at the county."""
    reason = _reason(reason, _("移交理由"))
    with transaction.atomic():
        locked = _lock(report)
        _require_active(locked)
        if to_school is None and locked.at_county:
            raise ValidationError(_("这条已经在县级收件箱中。"))
        if to_school is not None:
            if to_school.county_id != locked.county_id or not to_school.active:
                raise ValidationError(_("只能移交给本县在用的学校。"))
            if to_school.pk == locked.school_id and not locked.at_county:
                raise ValidationError(_("这条已经属于该校，无需移交。"))
        if locked.linked_students.exists():
            # the students linked are this school's: the matter is here, not elsewhere
            raise ValidationError(_("这条已关联本校学生，说明事情涉及本校，不能移交；请在本校继续处理。"))
        if locked.duplicates.exists():
            raise ValidationError(_("已有其他反映并入这条，不能整体移交；请在本校处理。"))
        from_school, from_county = locked.school_id, locked.at_county
        locked.status = Status.NEW
        locked.owner = None
        locked.acknowledged_at = None
        locked.acknowledged_by = None
        if to_school is None:
            locked.at_county = True
        else:
            locked.at_county = False
            locked.school = to_school
        locked.save(
            update_fields=[
                "status",
                "owner",
                "acknowledged_at",
                "acknowledged_by",
                "at_county",
                "school",
                "updated_at",
            ]
        )
        if to_school is not None and to_school.pk != from_school:
            # the reporter's content and the history travel with the report; the follow-up
            # code stays with the school the reporter wrote to, so their code keeps working
            for model in (ReportMessage, ReportAttachment, TriageEvent):
                model.objects.filter(report=locked).update(school_id=to_school.pk)
        TriageEvent.objects.create(
            county_id=locked.county_id,
            school_id=locked.school_id,
            report=locked,
            kind=EventKind.HANDED_OVER,
            by=by,
            text=reason,
            data={
                "from_school": from_school,
                "from_county": from_county,
                "to_school": to_school.pk if to_school is not None else None,
                "to_county": to_school is None,
            },
        )
        if to_school is None:
            notify(
                bureau_safety(locked.county_id),
                kind="intake_county_inbox",
                title=_("有一项反映上交到县级收件箱（#%(n)d）") % {"n": locked.pk},
                url=reverse("intake:county_inbox_detail", args=[locked.pk]),
                dedupe_key=f"intake:report:{locked.pk}:to-county:{locked.events.count()}",
                county=locked.county_id,
            )
        else:
            notify(
                triagers(to_school),
                kind="intake_transfer",
                title=_("有一项反映移交到本校（#%(n)d）") % {"n": locked.pk},
                url=reverse("intake:report_detail", args=[locked.pk]),
                dedupe_key=f"intake:report:{locked.pk}:to-school:{to_school.pk}:{locked.events.count()}",
                school=to_school.pk,
            )
    return locked
