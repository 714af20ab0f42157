"""Activities: validation, who may record what (法治副校长 their own visits), classes, staff, files,
closing; the QR check-in service."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from anxin.core import clock
from anxin.core.models import AuditEvent
from anxin.core.roles import Role
from anxin.education import services
from anxin.education.models import Activity, CheckIn, StaffAttendance
from anxin.education.tests.conftest import activity


def test_staff_training_needs_an_audience_level(world, mm):
    with pytest.raises(ValidationError) as e:
        services.create_activity(
            mm, world.school_a1, {"kind": "staff_training", "title": "培训", "held_on": None}
        )
    assert "staff_level" in e.value.message_dict and "held_on" in e.value.message_dict
    a = activity(world, mm, staff_level="leaders")
    assert a.get_staff_level_display() == "班子成员"


def test_law_education_names_the_laws(world, mm):
    with pytest.raises(ValidationError) as e:
        activity(world, mm, kind="law", laws=[])
    assert "laws" in e.value.message_dict
    a = activity(world, mm, kind="law", laws=["minors", "delinquency", "bogus"])
    assert a.laws == ["minors", "delinquency"]
    assert a.get_laws_display() == "未成年人保护法、预防未成年人犯罪法"


def test_presenter_must_belong_to_the_school(world, mm):
    with pytest.raises(ValidationError) as e:
        activity(world, mm, kind="moral", presenter=world.user_b[Role.CLASS_TEACHER])
    assert "presenter" in e.value.message_dict
    a = activity(world, mm, kind="legal_visit", presenter=world.user[Role.LEGAL_VP])
    assert a.presenter_label


def test_legal_vp_records_own_visits_only(world):
    vp = world.user[Role.LEGAL_VP]
    a = services.create_activity(
        vp,
        world.school_a1,
        {
            "kind": "legal_visit",
            "title": "以案说法",
            "held_on": clock.today(),
            "presenter": world.user[Role.PRINCIPAL],
        },
    )
    assert a.presenter_id == vp.pk  # always themselves
    with pytest.raises(ValidationError) as e:
        activity(world, vp, kind="moral")
    assert "kind" in e.value.message_dict
    other = activity(world, world.user[Role.MIDDLE_MANAGER], kind="law")
    with pytest.raises(PermissionDenied):
        services.update_activity(vp, other, {"title": "改"})
    services.update_activity(vp, a, {"title": "以案说法（二）"})
    # a teacher may not record; another county's school is out of scope
    with pytest.raises(PermissionDenied):
        activity(world, world.user[Role.CLASS_TEACHER], kind="moral")
    with pytest.raises(PermissionDenied):
        activity(world, world.user[Role.MIDDLE_MANAGER], kind="moral", school=world.school_b1)


def test_classes_of_the_school_only(world, mm):
    a = activity(world, mm, kind="class_meeting", title="拒绝欺凌主题班会")
    with pytest.raises(ValidationError):
        services.set_classes(mm, a, {world.class_b1_1: 40})
    with pytest.raises(ValidationError):
        services.set_classes(mm, a, {})
    services.set_classes(mm, a, {world.class_a1_1: 42, world.class_a1_2: None})
    assert a.classes.count() == 2
    services.set_classes(mm, a, {world.class_a1_1: 41})
    assert list(a.classes.values_list("klass_id", "students")) == [(world.class_a1_1.pk, 41)]


def test_staff_from_the_roster_keeps_qr_checkins(world, mm, teacher):
    a = activity(world, mm)
    services.check_in(teacher, a)
    with pytest.raises(ValidationError):
        services.set_staff(mm, a, [world.user_b[Role.CLASS_TEACHER]])
    with pytest.raises(ValidationError):  # a 法治副校长 is not staff to be trained
        services.set_staff(mm, a, [world.user[Role.LEGAL_VP]])
    n = services.set_staff(mm, a, [world.user[Role.COUNSELLOR], world.user[Role.PRINCIPAL]])
    assert n == 3
    n = services.set_staff(mm, a, [world.user[Role.COUNSELLOR]])
    assert n == 2
    assert StaffAttendance.objects.get(activity=a, user=teacher).via == CheckIn.QR


def test_check_in_records_that_user_once_and_stops_when_closed(world, mm, teacher):
    a = activity(world, mm)
    row, new = services.check_in(teacher, a)
    assert new and row.user == teacher and row.recorded_by == teacher and row.via == CheckIn.QR
    _row, new = services.check_in(teacher, a)
    assert not new and StaffAttendance.objects.filter(activity=a).count() == 1
    services.close_activity(mm, a)
    with pytest.raises(ValidationError):
        services.check_in(world.user[Role.COUNSELLOR], a)
    services.reopen_activity(mm, a)
    services.check_in(world.user[Role.COUNSELLOR], a)


def test_check_in_refuses_outsiders(world, mm):
    a = activity(world, mm)
    for who in (world.user_b[Role.CLASS_TEACHER], world.user[Role.LEGAL_VP], world.outsider):
        with pytest.raises(PermissionDenied):
            services.check_in(who, a)
    assert AuditEvent.objects.filter(action="checkin", result="denied").count() == 3
    assert not StaffAttendance.objects.exists()


def test_material_is_stored_encrypted(world, mm):
    from django.core.files.uploadedfile import SimpleUploadedFile

    a = activity(world, mm)
    m = services.add_material(mm, a, SimpleUploadedFile("课件.pdf", b"%PDF-1.4\n%%EOF\n"))
    assert m.content_type == "application/pdf" and m.original_name == "课件.pdf"
    assert b"%PDF" not in m.file.read()
    with pytest.raises(ValidationError):
        services.add_material(mm, a, SimpleUploadedFile("x.exe", b"MZ\x90\x00"))


def test_setting_bounds_and_rights(world):
    with pytest.raises(PermissionDenied):
        services.update_setting(world.user[Role.PRINCIPAL], world.county_a.pk, {"class_meetings_per_term": 3})
    with pytest.raises(ValidationError):
        services.update_setting(
            world.user[Role.BUREAU_SAFETY], world.county_a.pk, {"class_meetings_per_term": 0}
        )
    s = services.update_setting(
        world.user[Role.BUREAU_ADMIN], world.county_a.pk, {"class_meetings_per_term": 3}
    )
    assert s.class_meetings_per_term == 3 and s.overdue_days == 7


def test_activity_writes_are_audited(world, mm):
    a = activity(world, mm)
    assert AuditEvent.objects.filter(
        object_type="education.activity", object_id=str(a.pk), action="create"
    ).exists()
    assert Activity.objects.restrict(world.user_b[Role.SAFETY_LEADER]).count() == 0


def test_check_in_only_on_the_day_the_training_is_held(world, mm, teacher):
    """A code passed on in a group chat the day after signs no one in."""
    import datetime as dt

    import time_machine

    a = activity(world, mm)
    with time_machine.travel(clock.now() + dt.timedelta(days=1)):
        with pytest.raises(ValidationError, match="只能在活动当天"):
            services.check_in(teacher, a)
    row, new = services.check_in(teacher, a)
    assert new and row.user == teacher
