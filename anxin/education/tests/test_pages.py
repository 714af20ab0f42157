"""The pages: recording activities and classes, the QR check-in on a phone, coverage, the
evaluation and its export, the override; who is refused."""

import io
import re

import pytest
from django.urls import reverse

from anxin.core import clock
from anxin.core.roles import Role
from anxin.education import checkin as qr
from anxin.education import services
from anxin.education.models import Activity, CheckIn, ClassAttendance, EligibilityOverride, StaffAttendance
from anxin.education.tests.conftest import activity, days_ago


def test_record_a_class_meeting_for_classes(world, mm, as_user):
    c = as_user(mm)
    r = c.get(reverse("education:activity_create") + "?kind=class_meeting")
    assert r.status_code == 200 and "登记教育培训活动" in r.content.decode()
    r = c.post(
        reverse("education:activity_create"),
        {
            "school": world.school_a1.pk,
            "kind": "class_meeting",
            "title": "向欺凌说不",
            "held_on": clock.today().isoformat(),
        },
    )
    a = Activity.objects.get(title="向欺凌说不")
    assert r.status_code == 302 and r["Location"] == reverse("education:activity_classes", args=[a.pk])
    r = c.post(
        r["Location"],
        {f"c{world.class_a1_1.pk}": "1", f"n{world.class_a1_1.pk}": "45", f"c{world.class_a1_2.pk}": "1"},
    )
    assert r.status_code == 302
    assert dict(ClassAttendance.objects.filter(activity=a).values_list("klass_id", "students")) == {
        world.class_a1_1.pk: 45,
        world.class_a1_2.pk: None,
    }
    page = c.get(reverse("education:activity_detail", args=[a.pk])).content.decode()
    assert "1班" in page and "45人" in page


def test_a_form_error_is_shown_in_chinese(world, mm, as_user):
    c = as_user(mm)
    r = c.post(
        reverse("education:activity_create"),
        {
            "school": world.school_a1.pk,
            "kind": "law",
            "title": "法治课",
            "held_on": clock.today().isoformat(),
        },
    )
    assert r.status_code == 200 and "请选择所学法律" in r.content.decode()


def test_staff_from_the_roster_page(world, mm, as_user):
    a = activity(world, mm)
    c = as_user(mm)
    t = world.user[Role.COUNSELLOR]
    assert c.get(reverse("education:activity_staff", args=[a.pk])).status_code == 200
    c.post(reverse("education:activity_staff", args=[a.pk]), {f"u{t.pk}": "1"})
    assert StaffAttendance.objects.get(activity=a).user == t


def _room_url(a):
    url = qr.checkin_url(a)
    return url[url.index("/education/") :]


def test_qr_page_shows_a_code_on_the_public_address(world, mm, as_user, settings):
    settings.SITE_URL = "https://anxin.example.cn"
    a = activity(world, mm)
    r = as_user(mm).get(reverse("education:activity_qr", args=[a.pk]))
    body = r.content.decode()
    assert r.status_code == 200 and "<svg" in body and 'http-equiv="refresh"' in body
    assert qr.checkin_url(a).startswith("https://anxin.example.cn/education/checkin/")
    # a teacher cannot show the code
    assert (
        as_user(world.user[Role.CLASS_TEACHER]).get(reverse("education:activity_qr", args=[a.pk])).status_code
        == 404
    )


def test_check_in_by_qr_records_the_logged_in_user_only(world, mm, teacher, client, as_user):
    a = activity(world, mm)
    url = _room_url(a)
    r = client.get(url)
    assert r.status_code == 302 and "login" in r["Location"]
    c = as_user(teacher)
    page = c.get(url).content.decode()
    token = re.search(r'name="person" value="([^"]+)"', page).group(1)
    # a forwarded confirmation: another person posting it checks in no one
    other = as_user(world.user[Role.COUNSELLOR])
    r = other.post(url, {"person": token, "user": teacher.pk})
    assert r.status_code == 403 and not StaffAttendance.objects.exists()
    c = as_user(teacher)
    r = c.post(url, {"person": token, "user": world.user[Role.COUNSELLOR].pk})
    assert r.status_code == 200 and "签到成功" in r.content.decode()
    row = StaffAttendance.objects.get()
    assert (row.user, row.via, row.recorded_by) == (teacher, CheckIn.QR, teacher)
    assert "您已签到过" in c.post(url, {"person": token}).content.decode()
    assert StaffAttendance.objects.count() == 1


def test_check_in_refused_after_close_or_expiry(world, mm, teacher, as_user, settings):
    a = activity(world, mm)
    url = _room_url(a)
    c = as_user(teacher)
    token = re.search(r'name="person" value="([^"]+)"', c.get(url).content.decode()).group(1)
    services.close_activity(mm, a)
    assert c.get(url).status_code == 409
    r = c.post(url, {"person": token})
    assert r.status_code == 409 and "签到已关闭" in r.content.decode()
    services.reopen_activity(mm, a)
    settings.ANXIN_CHECKIN_MAX_AGE = -1
    assert c.get(url).status_code == 410
    assert c.get("/education/checkin/forged/").status_code == 404
    assert not StaffAttendance.objects.exists()


def test_check_in_refuses_another_school(world, mm, as_user):
    a = activity(world, mm)
    c = as_user(world.user_b[Role.CLASS_TEACHER])
    page = c.get(_room_url(a)).content.decode()
    token = re.search(r'name="person" value="([^"]+)"', page).group(1)
    assert c.post(_room_url(a), {"person": token}).status_code == 403
    assert not StaffAttendance.objects.exists()


def test_legal_vp_sees_own_activities_only(world, mm, as_user):
    vp = world.user[Role.LEGAL_VP]
    mine = services.create_activity(
        vp, world.school_a1, {"kind": "legal_visit", "title": "以案说法进校园", "held_on": clock.today()}
    )
    other = activity(world, mm, title="班子成员专题培训")
    c = as_user(vp)
    body = c.get(reverse("education:activity_list")).content.decode()
    assert "以案说法进校园" in body and "班子成员专题培训" not in body
    assert c.get(reverse("education:activity_detail", args=[other.pk])).status_code == 404
    assert c.get(reverse("education:activity_detail", args=[mine.pk])).status_code == 200
    form = c.get(reverse("education:activity_create")).content.decode()
    assert "主题班会" not in form


def test_coverage_pages(world, mm, as_user):
    a = activity(world, mm, held_on=days_ago(1))
    services.set_staff(mm, a, [mm])
    body = as_user(mm).get(reverse("education:coverage")).content.decode()
    assert "已培训 1/" in body and "德育/政教主任" in body
    bureau = as_user(world.user[Role.BUREAU_SAFETY])
    board = bureau.get(reverse("education:coverage")).content.decode()
    assert world.school_a1.name in board and world.school_a2.name in board
    assert bureau.get(reverse("education:coverage") + f"?school={world.school_a1.pk}").status_code == 200
    r = bureau.post(reverse("education:settings"), {"class_meetings_per_term": 3, "overdue_days": 5})
    assert r.status_code == 302
    assert services.setting_for(world.county_a.pk).class_meetings_per_term == 3
    assert as_user(mm).get(reverse("education:settings")).status_code == 403
    assert as_user(world.user[Role.CLASS_TEACHER]).get(reverse("education:coverage")).status_code == 403


def _overdue_task(world, owner):
    from anxin.care.models import InterventionTask

    return InterventionTask.objects.create(
        county=world.county_a,
        school=world.school_a1,
        student=world.student_own,
        title="跟进",
        owner=owner,
        due_on=days_ago(30),
    )


def test_evaluation_page_export_and_override(world, principal, teacher, as_user):
    import openpyxl

    _overdue_task(world, teacher)
    c = as_user(principal)
    body = c.get(reverse("education:evaluation")).content.decode()
    assert "暂不具备资格" in body and "1 人暂不具备评优评先资格" in body
    r = c.get(reverse("education:evaluation") + "?format=xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][0] == "姓名" and any(
        row[10] == "暂不具备资格" and "干预任务" in row[11] for row in rows[1:]
    )
    url = reverse("education:evaluation_person", args=[world.school_a1.pk, teacher.pk])
    assert "认定具备评优评先资格" in c.get(url).content.decode()
    r = c.post(url, {"reason": "任务对象转学，已移交新学校跟进"})
    assert r.status_code == 302 and EligibilityOverride.objects.get().decided_by == principal
    assert "经校长认定具备资格" in c.get(url).content.decode()
    # the safety leader reads but cannot override
    leader = as_user(world.user[Role.SAFETY_LEADER])
    assert "认定具备评优评先资格" not in leader.get(url).content.decode()
    assert leader.post(url, {"reason": "理由足够长的说明"}).status_code == 403
    # staff and other counties are refused
    assert as_user(teacher).get(reverse("education:evaluation")).status_code == 403
    assert as_user(world.user_b[Role.SAFETY_LEADER]).get(url).status_code == 403


def test_my_record(world, teacher, as_user):
    _overdue_task(world, teacher)
    body = as_user(teacher).get(reverse("education:my_record")).content.decode()
    assert "暂不具备资格" in body and world.school_a1.name in body
    assert as_user(world.user[Role.BUREAU_SAFETY]).get(reverse("education:my_record")).status_code == 403


@pytest.mark.parametrize("n", [2, 12])
def test_activity_list_has_a_fixed_number_of_queries(world, mm, as_user, n, django_assert_max_num_queries):
    for i in range(n):
        a = activity(world, mm, kind="class_meeting", title=f"班会{i}")
        services.set_classes(mm, a, {world.class_a1_1: 40})
    c = as_user(mm)
    c.get(reverse("education:activity_list"))
    with django_assert_max_num_queries(14):
        assert c.get(reverse("education:activity_list")).status_code == 200


def test_evaluation_page_has_a_fixed_number_of_queries(
    world, principal, as_user, django_assert_max_num_queries
):
    from anxin.core.testing import make_user

    for i in range(12):
        make_user(f"y{i}", world.county_a, Role.SUBJECT_TEACHER, world.school_a1, world.class_a1_1)
    c = as_user(principal)
    c.get(reverse("education:evaluation"))
    with django_assert_max_num_queries(30):
        assert c.get(reverse("education:evaluation")).status_code == 200


def test_a_legal_vp_who_also_teaches_elsewhere_sees_only_own_where_only_vp(world, mm, as_user):
    """School by school: at A1, where they are only 法治副校长, their own activities; at A2, where
    they also teach, all of A2's."""
    import datetime as dt

    from anxin.accounts.models import Membership

    vp = world.user[Role.LEGAL_VP]
    Membership.objects.create(
        user=vp,
        role=Role.SUBJECT_TEACHER,
        county=world.county_a,
        school=world.school_a2,
        klass=world.class_a2_1,
        started_on=dt.date(2024, 1, 1),
    )
    a1_other = activity(world, mm, title="班子成员专题培训")
    a2 = Activity.objects.create(
        county=world.county_a,
        school=world.school_a2,
        kind="moral",
        title="习岗小学道德讲堂",
        held_on=clock.today(),
        created_by=mm,
    )
    body = as_user(vp).get(reverse("education:activity_list")).content.decode()
    assert a2.title in body and a1_other.title not in body
