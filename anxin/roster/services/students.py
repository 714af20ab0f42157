"""Editing a student (with guardians) and moving one between classes and schools, the placement
history kept.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from anxin.core import clock, policy
from anxin.org.models import SchoolClass
from anxin.roster.models import (
    Guardian,
    Placement,
    Student,
)

# --- editing and moving a student -----------------------------------------------------------------


@transaction.atomic
def save_student(form, guardians, by) -> Student:
    """Save the edit form and its guardians (both validated by the caller). Each write is
    audited by the models' signals with before/after values."""
    student: Student = form.instance
    if not policy.allows(by, student, "change"):
        raise PermissionDenied("roster.student.change")
    form.save()
    taken = set(student.guardians.values_list("position", flat=True))
    for g in guardians.save(commit=False):
        if g.pk is None:
            g.county_id, g.school_id, g.student = student.county_id, student.school_id, student
            g.position = next(n for n in range(1, 100) if n not in taken)
            taken.add(g.position)
        g.save()
    for g in guardians.deleted_objects:
        if g.pk is not None:
            g.delete()
    return student


# --- moving a student ---------------------------------------------------------------------------


@transaction.atomic
def move_student(student: Student, klass: SchoolClass, by, reason: str) -> Student:
    """Move a student to another class (or school): the open placement is closed today and a
    new one opened, so the history stays (R-ORG-6). The target class must be one the user may
    change students in; the student must be one they may change."""
    if not policy.allows(by, student, "change"):
        raise PermissionDenied("roster.student.change")
    if not SchoolClass.objects.restrict(by, "roster.student.change").filter(pk=klass.pk).exists():
        raise PermissionDenied("roster.student.change")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写调班原因。"))
    if not klass.active:
        raise ValidationError(_("目标班级已停用。"))
    if klass.pk == student.klass_id:
        raise ValidationError(_("学生已在该班级。"))
    if klass.county_id != student.county_id:
        raise ValidationError(_("不能调往其他县区的班级。"))
    today = clock.today()
    Placement.objects.filter(student=student, ended_on__isnull=True).update(ended_on=today)
    Placement.objects.create(
        county_id=student.county_id,
        school_id=klass.school_id,
        klass=klass,
        student=student,
        started_on=today,
        reason=reason[:100],
    )
    changed_school = klass.school_id != student.school_id
    student.klass = klass
    student.school_id = klass.school_id
    student.save(update_fields=["klass", "school", "updated_at"])  # audited (before/after)
    if changed_school:
        Guardian.objects.filter(student=student).update(school_id=klass.school_id)
    return student
