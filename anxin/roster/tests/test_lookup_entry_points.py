"""Every form field and API field that takes a student id answers "not found" for a student
outside the caller's scope, and records the attempt as an audited denial (LAW 18). The case
party entry points (with the exact-name rule for other schools) are tested in
``anxin/cases/tests/test_party_scope.py``."""

from __future__ import annotations

import pytest

from anxin.core.models import AuditEvent
from anxin.core.roles import Role
from anxin.intake import services as intake
from anxin.intake.models import Report, ReportStudent
from anxin.roster import lookup

MANAGERS = [Role.PRINCIPAL, Role.SAFETY_LEADER, Role.MIDDLE_MANAGER]


def denied(student, purpose):
    return AuditEvent.objects.filter(
        action="denied",
        result="denied",
        object_type="roster.student",
        object_id=str(student.pk),
        data__purpose=purpose,
    )


@pytest.fixture
def report(world):
    return intake.submit_report(
        school=world.school_a1,
        data={"reporter_kind": "student", "behaviours": ["verbal"], "text": "有人在走廊骂我"},
    ).report


@pytest.mark.parametrize("role", MANAGERS)
def test_intake_link_student_page_and_api(world, report, as_user, role):
    c = as_user(world.user[role])
    other = world.student_other_school
    r = c.post(f"/intake/reports/{report.pk}/link/", {"student": other.pk, "role": "victim"}, follow=True)
    assert "没有找到该学生" in r.content.decode() and other.name not in r.content.decode()
    assert denied(other, "intake.link_student").count() == 1
    r = c.post(
        f"/api/v1/intake/reports/{report.pk}/link-student/",
        {"student": other.pk, "party_role": "victim"},
        content_type="application/json",
    )
    assert r.status_code == 404 and other.name not in r.content.decode()
    assert denied(other, "intake.link_student").count() == 2
    assert not ReportStudent.objects.exists()
    r = c.post(
        f"/api/v1/intake/reports/{report.pk}/link-student/",
        {"student": world.student_own.pk, "party_role": "victim"},
        content_type="application/json",
    )
    assert r.status_code == 200 and ReportStudent.objects.filter(student=world.student_own).exists()


@pytest.mark.parametrize(
    "role,target",
    [(r, "student_other_school") for r in MANAGERS] + [(Role.CLASS_TEACHER, "student_other_class")],
)
def test_concern_about_a_student_outside_the_scope(world, as_user, role, target):
    c = as_user(world.user[role])
    student = getattr(world, target)
    r = c.post(
        "/api/v1/intake/concerns/",
        {"student": student.pk, "text": "被起绰号"},
        content_type="application/json",
    )
    assert r.status_code == 404 and student.name not in r.content.decode()
    r = c.post("/intake/concerns/new/", {"student": student.pk, "source": "staff", "text": "被起绰号"})
    assert r.status_code == 200 and "没有找到该学生" in r.content.decode()
    assert denied(student, "intake.concern").count() == 2
    assert not Report.objects.exists()


def test_care_api_student_outside_the_class_is_not_found_and_audited(world, as_user):
    c = as_user(world.user[Role.CLASS_TEACHER])
    other = world.student_other_class
    r = c.post(
        "/api/v1/care-contacts/", {"student": other.pk, "summary": "x"}, content_type="application/json"
    )
    assert r.status_code == 400 and other.name not in r.content.decode()
    assert denied(other, "care").count() == 1


def test_resolve_without_a_name_never_crosses_the_scope(world):
    """Intake and the other own-scope entry points call resolve() without a name."""
    leader = world.user[Role.SAFETY_LEADER]
    county = world.county_a.pk
    assert lookup.resolve(leader, world.student_other_class.pk, county_id=county) == world.student_other_class
    assert lookup.resolve(leader, world.student_other_school.pk, county_id=county) is None
    assert lookup.resolve(leader, world.student_other_county.pk, county_id=county) is None
    assert denied(world.student_other_school, "").count() == 1
