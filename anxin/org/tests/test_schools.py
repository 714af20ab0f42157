"""Schools and classes: who sees which (R-ORG-1), who edits contacts (R-ORG-5)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import NoReverseMatch, reverse

from anxin.accounts.models import Membership
from anxin.core.testing import make_school, make_user
from anxin.org import services
from anxin.org.models import Grade, SchoolClass


def school_url(school):
    return reverse("org:school_detail", args=[school.pk])


def test_class_teacher_sees_own_school_only_in_school_list(world, as_user):
    c = as_user(world.user["class_teacher"])
    body = c.get(reverse("org:school_list")).content.decode()
    assert school_url(world.school_a1) in body
    assert school_url(world.school_a2) not in body
    assert school_url(world.school_b1) not in body


@pytest.mark.parametrize("role", ["bureau_admin", "bureau_safety"])
def test_bureau_roles_see_all_county_schools_and_no_other_county(world, as_user, role):
    c = as_user(world.user[role])
    body = c.get(reverse("org:school_list")).content.decode()
    assert school_url(world.school_a1) in body
    assert school_url(world.school_a2) in body
    assert school_url(world.school_b1) not in body
    assert c.get(school_url(world.school_a2)).status_code == 200
    assert c.get(school_url(world.school_b1)).status_code == 404


def test_class_teacher_gets_404_for_other_school_and_other_county(world, as_user):
    c = as_user(world.user["class_teacher"])
    assert c.get(school_url(world.school_a1)).status_code == 200
    assert c.get(school_url(world.school_a2)).status_code == 404
    assert c.get(school_url(world.school_b1)).status_code == 404


def test_school_list_filters_by_search_and_type(world, as_user):
    c = as_user(world.user["bureau_admin"])
    body = c.get(reverse("org:school_list"), {"type": "primary"}).content.decode()
    assert school_url(world.school_a2) in body and school_url(world.school_a1) not in body
    body = c.get(reverse("org:school_list"), {"q": "第一中学"}).content.decode()
    assert school_url(world.school_a1) in body and school_url(world.school_a2) not in body
    world.school_a2.boarding = True
    world.school_a2.save()
    body = c.get(reverse("org:school_list"), {"boarding": "true"}).content.decode()
    assert school_url(world.school_a2) in body and school_url(world.school_a1) not in body


def test_school_list_export_has_counts(world, as_user, xlsx_rows):
    c = as_user(world.user["bureau_safety"])
    rows = xlsx_rows(c.get(reverse("org:school_list"), {"format": "xlsx"}))
    assert rows[0] == ("学校名称", "学校标识码", "类型", "乡镇", "寄宿", "班级数", "学生数")
    a1 = next(r for r in rows if r[1] == world.school_a1.code)
    assert a1[2] == "初中" and a1[4] == "否"
    assert a1[5] == 2 and a1[6] == 2  # 初一1班 and 2班; student_own and student_other_class
    assert not any(r[1] == world.school_b1.code for r in rows)


def test_class_teacher_cannot_export_school_list(world, as_user):
    c = as_user(world.user["class_teacher"])
    assert c.get(reverse("org:school_list"), {"format": "xlsx"}).status_code == 403


def test_school_list_query_count_does_not_grow_with_schools(world, as_user, django_assert_max_num_queries):
    c = as_user(world.user["bureau_admin"])
    url = reverse("org:school_list")
    c.get(url)  # warm up session and caches
    with django_assert_max_num_queries(20) as few:
        assert c.get(url).status_code == 200
    for i in range(17):
        make_school(world.county_a, f"贺兰县测试学校{i}", f"21640129{i:02d}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = c.get(url)
    assert r.status_code == 200
    assert "贺兰县测试学校16" in r.content.decode()


def test_principal_edits_own_school_contacts(world, as_user):
    c = as_user(world.user["principal"])
    url = reverse("org:school_edit", args=[world.school_a1.pk])
    assert c.get(url).status_code == 200
    r = c.post(
        url,
        {
            "short_name": "贺兰一中",
            "town": "习岗镇",
            "address": "",
            "antibullying_phone": "0951-8099999",
            "antibullying_email": "fq@hl.example.cn",
            "safety_leader_phone": "13900000002",
            "legal_vp_phone": "",
        },
    )
    assert r.status_code == 302
    world.school_a1.refresh_from_db()
    assert world.school_a1.antibullying_phone == "0951-8099999"
    assert world.school_a1.short_name == "贺兰一中"


def test_school_edit_rejects_bad_phone_with_chinese_error(world, as_user):
    c = as_user(world.user["safety_leader"])
    url = reverse("org:school_edit", args=[world.school_a1.pk])
    r = c.post(url, {"town": "习岗镇", "antibullying_phone": "abc"})
    assert r.status_code == 200
    assert 'class="errorlist"' in r.content.decode()
    world.school_a1.refresh_from_db()
    assert world.school_a1.antibullying_phone == "0951-8012345"


def test_principal_cannot_edit_other_school_404(world, as_user):
    c = as_user(world.user["principal"])
    assert c.get(reverse("org:school_edit", args=[world.school_a2.pk])).status_code == 404
    assert c.post(reverse("org:school_edit", args=[world.school_a2.pk]), {"town": "x"}).status_code == 404


def test_class_teacher_cannot_edit_school_403(world, as_user):
    c = as_user(world.user["class_teacher"])
    assert c.get(reverse("org:school_edit", args=[world.school_a1.pk])).status_code == 403


def test_bureau_admin_edits_any_county_school_including_name(world, as_user):
    c = as_user(world.user["bureau_admin"])
    url = reverse("org:school_edit", args=[world.school_a2.pk])
    r = c.get(url)
    assert r.status_code == 200 and 'name="name"' in r.content.decode()
    assert c.get(reverse("org:school_edit", args=[world.school_b1.pk])).status_code == 404


def test_principal_cannot_rename_school_through_service(world):
    with pytest.raises(PermissionDenied):
        services.update_school_contacts(world.user["principal"], world.school_a1, {"name": "改名"})
    world.school_a1.refresh_from_db()
    assert world.school_a1.name == "贺兰县第一中学"


def test_class_teacher_sees_own_class_only(world, as_user):
    c = as_user(world.user["class_teacher"])
    body = c.get(reverse("org:class_list")).content.decode()
    assert reverse("org:class_detail", args=[world.class_a1_1.pk]) in body
    assert reverse("org:class_detail", args=[world.class_a1_2.pk]) not in body
    assert c.get(reverse("org:class_detail", args=[world.class_a1_1.pk])).status_code == 200
    assert c.get(reverse("org:class_detail", args=[world.class_a1_2.pk])).status_code == 404
    assert c.get(reverse("org:class_detail", args=[world.class_b1_1.pk])).status_code == 404


def test_class_list_shows_class_teacher_and_student_count(world, as_user, xlsx_rows):
    world.user["class_teacher"].real_name = "陈老师"
    world.user["class_teacher"].save()
    c = as_user(world.user["principal"])
    rows = xlsx_rows(c.get(reverse("org:class_list"), {"format": "xlsx"}))
    assert rows[0] == ("学校", "年级", "班级", "班主任", "学生数")
    assert ("贺兰县第一中学", "初一", "1班", "陈老师", 1) in rows
    assert ("贺兰县第一中学", "初一", "2班", None, 1) in rows
    assert all(r[0] == "贺兰县第一中学" for r in rows[1:])


def test_class_list_query_count_is_bounded(world, as_user, django_assert_max_num_queries):
    c = as_user(world.user["bureau_admin"])
    url = reverse("org:class_list")
    c.get(url)
    with django_assert_max_num_queries(20) as few:
        c.get(url)
    grade = Grade.objects.get(school=world.school_a2)
    for i in range(3, 15):
        SchoolClass.objects.create(county=world.county_a, school=world.school_a2, grade=grade, name=f"{i}班")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert c.get(url).status_code == 200


def test_class_detail_shows_teachers_and_roster_link(world, as_user):
    teacher = make_user(
        "subj", world.county_a, "subject_teacher", world.school_a1, world.class_a1_1, "数学刘老师"
    )
    c = as_user(world.user["class_teacher"])
    body = c.get(reverse("org:class_detail", args=[world.class_a1_1.pk])).content.decode()
    assert teacher.real_name in body
    assert world.user["class_teacher"].real_name in body
    try:
        roster = reverse("roster:student_list")
    except NoReverseMatch:
        assert "本班学生名单" not in body  # no dead link until the roster list exists
    else:
        assert f"{roster}?klass={world.class_a1_1.pk}" in body


def test_principal_creates_class_and_grade(world, as_user):
    c = as_user(world.user["principal"])
    url = reverse("org:class_create", args=[world.school_a1.pk])
    grade = Grade.objects.get(school=world.school_a1)
    r = c.post(url, {"grade": grade.pk, "name": "3班"})
    assert r.status_code == 302
    assert SchoolClass.objects.filter(grade=grade, name="3班").exists()
    r = c.post(
        url,
        {
            "grade": "",
            "new_grade_name": "初二",
            "new_grade_stage": "junior",
            "new_grade_year": 8,
            "name": "1班",
        },
    )
    assert r.status_code == 302
    assert SchoolClass.objects.filter(school=world.school_a1, grade__name="初二", name="1班").exists()
    r = c.post(url, {"grade": grade.pk, "name": "3班"})
    assert r.status_code == 200 and "已有" in r.content.decode()


def test_class_teacher_cannot_create_class(world, as_user):
    c = as_user(world.user["class_teacher"])
    grade = Grade.objects.get(school=world.school_a1)
    r = c.post(reverse("org:class_create", args=[world.school_a1.pk]), {"grade": grade.pk, "name": "9班"})
    assert r.status_code == 403
    assert not SchoolClass.objects.filter(name="9班").exists()


def test_class_teacher_of_a_second_school_sees_both_classes(world, as_user):
    # one person may hold several posts (R-ORG-2)
    teacher = world.user["class_teacher"]
    Membership.objects.create(
        user=teacher,
        role="class_teacher",
        county=world.county_a,
        school=world.school_a2,
        klass=world.class_a2_1,
        started_on="2024-01-01",
    )
    c = as_user(teacher)
    body = c.get(reverse("org:school_list")).content.decode()
    assert school_url(world.school_a1) in body and school_url(world.school_a2) in body
    assert c.get(reverse("org:class_detail", args=[world.class_a2_1.pk])).status_code == 200
