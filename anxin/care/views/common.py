"""Shared by the care pages: links to screening and its tendency page, labels, enrolled students."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from anxin.care import cadence
from anxin.core import clock

# Where screening shows a student's risk level, reasons and history (and its 重点盯防 alerts).
SCREENING_STUDENT_URLS = ("screening:student_risk", "screening:student_detail", "screening:student")


def _local(moment) -> str:
    return timezone.localtime(moment, clock.SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment else ""


def _screening_url(student) -> str | None:
    for name in SCREENING_STUDENT_URLS:
        try:
            return reverse(name, args=[student.pk])
        except NoReverseMatch:
            continue
    return None


def _tendency_url(user, student) -> str | None:
    """The student's running entry in screening's bullying-tendency register (重点盯防), where
    screening shows its alerts when the student appears in a new report, concern or case."""
    try:
        from anxin.screening.models import TendencyEntry

        entry = (
            TendencyEntry.objects.restrict(user, "view")
            .filter(student_id=student.pk, status="active")
            .only("pk")
            .first()
        )
        return reverse("screening:tendency_detail", args=[entry.pk]) if entry else None
    except (ImportError, AttributeError, NoReverseMatch):
        return None


def _level_label(level: str | None) -> str:
    return str(cadence.Level(level).label) if level in cadence.Level.values else ""


def _enrolled_in(klass_ids=None, school_ids=None):
    from anxin.roster.models import Student, StudentStatus

    qs = Student.objects.filter(status=StudentStatus.ENROLLED)
    if klass_ids is not None:
        qs = qs.filter(klass_id__in=klass_ids)
    if school_ids is not None:
        qs = qs.filter(school_id__in=school_ids)
    return qs.order_by("name", "pk")


PLAN_RELATED = ("student__klass__grade", "owner", "school")
