"""Finding a student to name in a record (a case party, a case opened through the API …): one
rule for searching by name and for taking a student id from a form or the API, so an id never
reaches further than a search does (LAW 18; R-Q-4).

- own scope — the students the user may view, plus the students of the school whose record it
  is (a case of that school): found by part of the name, or taken by id;
- other schools of the same county: only by the exact full name — a search with the exact
  name, or an id sent together with that exact name — and each such lookup is audited as a
  cross-scope lookup;
- anything else reads as "not found" and is audited as a denial.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anxin.core import audit, policy
from anxin.core.fields import AuditedModelChoiceField, audit_denied_lookup
from anxin.roster.models import Student, StudentStatus

CROSS_SCOPE = "student.cross_scope_lookup"
DENIED_PERM = "roster.student.lookup"
NOT_FOUND = _("没有找到该学生。")
NOT_FOUND_EXACT = _("没有找到该学生。外校学生须输入完整姓名查找后再选择。")


def own_q(user, school_id: int | None = None) -> Q:
    """The students in the user's own scope (plus those of ``school_id``)."""
    q = policy.scope_q(user, Student, "view")
    own = q if q is not None else Q(pk__in=[])
    if school_id:
        own |= Q(school_id=school_id)
    return own


def _audit_cross(student: Student, purpose: str, via: str) -> None:
    audit.record(CROSS_SCOPE, student, data={"via": via, "purpose": purpose})


def audit_denied(pk, purpose: str) -> None:
    """Record that a student id outside the rules was asked for (it answered "not found"):
    ``DENIED_PERM`` on ``roster.student``."""
    audit_denied_lookup(Student, pk, purpose)


def search(user, q: str, *, county_id: int, school_id: int | None = None, purpose: str = "", limit=20):
    """Enrolled students of the county matching ``q``: in own scope by part of the name, at other
    schools by the exact name only (each such hit audited as a cross-scope lookup)."""
    q = (q or "").strip()
    if not q:
        return []
    own = own_q(user, school_id)
    qs = Student.objects.filter(county_id=county_id, status=StudentStatus.ENROLLED).filter(
        (own & Q(name__contains=q)) | Q(name=q)
    )
    found = list(
        qs.select_related("school", "klass__grade").order_by("school_id", "klass_id", "name")[:limit]
    )
    mine = set(Student.objects.filter(own, pk__in=[s.pk for s in found]).values_list("pk", flat=True))
    for s in found:
        if s.pk not in mine:
            _audit_cross(s, purpose, "search")
    return found


def resolve(user, pk, *, county_id: int, school_id: int | None = None, name: str = "", purpose: str = ""):
    """The student with id ``pk`` if the rules above let the user name them; else None (the
    caller answers "not found") after an audited denial."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        audit_denied(pk, purpose)
        return None
    base = Student.objects.filter(pk=pk, county_id=county_id).select_related("school", "klass__grade")
    student = base.filter(own_q(user, school_id)).first()
    if student is not None:
        return student
    student = base.filter(status=StudentStatus.ENROLLED).first()
    if student is not None and (name or "").strip() == student.name:
        _audit_cross(student, purpose, "exact_name")
        return student
    audit_denied(pk, purpose)
    return None


class StudentField(AuditedModelChoiceField):
    """A form's student id. With ``resolve`` set (a callable pk → Student | None, usually
    :func:`resolve` bound to the record) that rule decides and the queryset only lists the
    choices shown; without it, the queryset (the user's scope) decides. Either way an id outside
    reads as "not found" in Chinese, and is audited as a denial."""

    default_error_messages = {"invalid_choice": NOT_FOUND}

    def __init__(self, *args, **kwargs):
        self.resolve = None
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if self.resolve is not None:
            student = self.resolve(value)
            if student is None:  # resolve() has audited the denial
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            return student
        return super().to_python(value)  # outside the queryset: not found, audited
