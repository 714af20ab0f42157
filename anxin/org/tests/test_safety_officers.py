"""学生安全员 per class (R-ORG-4): appointed by the class teacher of that class or the school's
managers, only from the class's own enrolled students."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from anxin.org import services
from anxin.org.models import SafetyOfficer


def add_url(klass):
    return reverse("org:safety_officer_add", args=[klass.pk])


def test_class_teacher_appoints_own_student(world, as_user):
    c = as_user(world.user["class_teacher"])
    assert c.get(add_url(world.class_a1_1)).status_code == 200
    r = c.post(add_url(world.class_a1_1), {"student": world.student_own.pk, "duties": "课间留意同学冲突"})
    assert r.status_code == 302
    officer = SafetyOfficer.objects.get(klass=world.class_a1_1)
    assert officer.student == world.student_own and officer.ended_on is None
    body = c.get(reverse("org:class_detail", args=[world.class_a1_1.pk])).content.decode()
    assert world.student_own.name in body


def test_class_teacher_cannot_appoint_for_other_class(world, as_user):
    c = as_user(world.user["class_teacher"])
    assert c.get(add_url(world.class_a1_2)).status_code == 404
    r = c.post(add_url(world.class_a1_2), {"student": world.student_other_class.pk})
    assert r.status_code == 404
    with pytest.raises(PermissionDenied):
        services.appoint_safety_officer(
            world.user["class_teacher"], world.class_a1_2, world.student_other_class
        )
    assert not SafetyOfficer.objects.exists()


def test_only_a_student_of_that_class_can_be_appointed(world, as_user):
    with pytest.raises(ValidationError):
        services.appoint_safety_officer(
            world.user["class_teacher"], world.class_a1_1, world.student_other_class
        )
    c = as_user(world.user["class_teacher"])
    r = c.post(add_url(world.class_a1_1), {"student": world.student_other_class.pk})
    assert r.status_code == 200 and 'class="errorlist"' in r.content.decode()
    assert not SafetyOfficer.objects.exists()


def test_transferred_student_cannot_be_appointed(world):
    world.student_own.status = "transferred"
    world.student_own.save()
    with pytest.raises(ValidationError):
        services.appoint_safety_officer(world.user["class_teacher"], world.class_a1_1, world.student_own)


def test_same_student_cannot_be_appointed_twice(world):
    services.appoint_safety_officer(world.user["class_teacher"], world.class_a1_1, world.student_own)
    with pytest.raises(ValidationError):
        services.appoint_safety_officer(world.user["principal"], world.class_a1_1, world.student_own)


def test_subject_teacher_cannot_appoint(world, as_user):
    c = as_user(world.user["subject_teacher"])
    assert c.get(add_url(world.class_a1_1)).status_code == 403


def test_school_manager_appoints_for_any_class_of_school(world, as_user):
    c = as_user(world.user["middle_manager"])
    r = c.post(add_url(world.class_a1_2), {"student": world.student_other_class.pk})
    assert r.status_code == 302
    assert c.get(add_url(world.class_a2_1)).status_code == 404


def test_end_safety_officer(world, as_user):
    officer = services.appoint_safety_officer(
        world.user["class_teacher"], world.class_a1_1, world.student_own
    )
    url = reverse("org:safety_officer_end", args=[officer.pk])
    assert as_user(world.user["subject_teacher"]).post(url).status_code == 403
    c = as_user(world.user["class_teacher"])
    assert c.get(url).status_code == 405
    assert c.post(url).status_code == 302
    officer.refresh_from_db()
    assert officer.ended_on is not None
    # the same student may be appointed again after leaving office
    services.appoint_safety_officer(world.user["class_teacher"], world.class_a1_1, world.student_own)
    assert SafetyOfficer.objects.filter(klass=world.class_a1_1).count() == 2


def test_safety_officer_list_is_scoped_and_exportable(world, as_user, xlsx_rows):
    services.appoint_safety_officer(world.user["principal"], world.class_a1_1, world.student_own)
    services.appoint_safety_officer(world.user["principal"], world.class_a1_2, world.student_other_class)
    c = as_user(world.user["class_teacher"])
    body = c.get(reverse("org:safety_officer_list")).content.decode()
    assert world.student_own.name in body
    assert world.student_other_class.name not in body
    rows = xlsx_rows(c.get(reverse("org:safety_officer_list"), {"format": "xlsx"}))
    assert rows[0] == ("学校", "班级", "学生安全员", "职责说明", "任命日期", "卸任日期")
    assert [r[2] for r in rows[1:]] == [world.student_own.name]
    c = as_user(world.user["principal"])
    body = c.get(reverse("org:safety_officer_list"), {"klass": world.class_a1_2.pk}).content.decode()
    assert world.student_other_class.name in body and world.student_own.name not in body


def test_bureau_roles_do_not_see_safety_officer_names(world, as_user):
    services.appoint_safety_officer(world.user["principal"], world.class_a1_1, world.student_own)
    c = as_user(world.user["bureau_safety"])
    assert c.get(reverse("org:safety_officer_list")).status_code == 403
    body = c.get(reverse("org:class_detail", args=[world.class_a1_1.pk])).content.decode()
    assert world.student_own.name not in body


def test_safety_officer_list_query_count_is_bounded(world, as_user, django_assert_max_num_queries):
    from anxin.core.testing import make_student

    c = as_user(world.user["principal"])
    url = reverse("org:safety_officer_list")
    services.appoint_safety_officer(world.user["principal"], world.class_a1_1, world.student_own)
    c.get(url)
    with django_assert_max_num_queries(20) as few:
        c.get(url)
    for i in range(10):
        st = make_student(world.class_a1_2, f"学生{i}", 100 + i)
        services.appoint_safety_officer(world.user["principal"], world.class_a1_2, st)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert c.get(url).status_code == 200
