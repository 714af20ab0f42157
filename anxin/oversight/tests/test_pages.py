"""The pages: posts and shifts, the teacher's phone flow, the accountability list and actions;
access by role and school; the .xlsx opened again; a fixed number of queries on lists."""

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from anxin.core import clock
from anxin.core.roles import Role
from anxin.oversight import services
from anxin.oversight.models import Action, Observation, Post, PostShift
from anxin.oversight.tests.conftest import make_case, shift_for

pytestmark = pytest.mark.django_db


def test_leader_sets_a_post_and_its_shifts(world, leader, teacher, hazard, as_user):
    c = as_user(leader)
    r = c.post(
        reverse("oversight:post_create"), {"name": "东楼梯监督岗", "hazard": hazard.pk, "active": "on"}
    )
    post = Post.objects.get(school=world.school_a1)
    assert r.status_code == 302 and post.hazard == hazard
    page = c.get(reverse("oversight:post_list")).content.decode()
    assert "未安排值岗" in page and "隐患点无摄像头" in page
    r = c.post(
        reverse("oversight:shift_create", args=[post.pk]),
        {"weekday": "1", "start_time": "10:00", "end_time": "10:20", "staff": teacher.pk},
    )
    assert r.status_code == 302 and PostShift.objects.filter(post=post, staff=teacher).exists()
    r = c.post(
        reverse("oversight:shift_create", args=[post.pk]),
        {"weekday": "2", "start_time": "10:00", "end_time": "09:00"},
    )
    assert r.status_code == 200 and "结束时间须晚于开始时间" in r.content.decode()
    assert (
        "值岗齐全" not in c.get(reverse("oversight:post_detail", args=[post.pk])).content.decode()
    )  # no camera


def test_teacher_records_on_the_phone(world, leader, teacher, post, as_user):
    shift_for(post, leader, teacher)
    c = as_user(teacher)
    page = c.get(reverse("oversight:my_posts")).content.decode()
    assert "东楼梯监督岗" in page
    r = c.post(
        reverse("oversight:observe", args=[post.pk]), {"summary": "有学生在楼梯口推搡", "flagged": "on"}
    )
    assert r.status_code == 302
    obs = Observation.objects.get()
    assert obs.flagged and obs.concern_id
    # a teacher without a shift there may not record
    other = as_user(world.user[Role.SUBJECT_TEACHER])
    assert other.get(reverse("oversight:observe", args=[post.pk])).status_code == 403
    # another school's post is not found
    assert (
        as_user(world.user_b[Role.CLASS_TEACHER])
        .get(reverse("oversight:observe", args=[post.pk]))
        .status_code
        == 404
    )
    # the teacher reads the post but does not edit it
    c = as_user(teacher)
    assert c.get(reverse("oversight:post_detail", args=[post.pk])).status_code == 200
    assert c.get(reverse("oversight:post_edit", args=[post.pk])).status_code == 403
    # leaders see it in the observation list
    assert "推搡" in as_user(leader).get(reverse("oversight:observation_list")).content.decode()


def test_bureau_reads_posts_of_the_county_not_another(world, leader, post, as_user):
    b = as_user(world.user[Role.BUREAU_SAFETY])
    assert "东楼梯监督岗" in b.get(reverse("oversight:post_list")).content.decode()
    assert b.get(reverse("oversight:post_create")).status_code == 403
    ob = as_user(world.user_b[Role.BUREAU_SAFETY])
    assert "东楼梯监督岗" not in ob.get(reverse("oversight:post_list")).content.decode()
    assert ob.get(reverse("oversight:post_detail", args=[post.pk])).status_code == 404
    x = as_user(world.user[Role.BUREAU_SAFETY]).get(reverse("oversight:post_list") + "?format=xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(x.content))
    assert wb.active["B2"].value == "东楼梯监督岗"


def test_bureau_records_an_interview_from_the_list(world, as_user):
    by = world.user[Role.MIDDLE_MANAGER]
    for _i in range(2):
        make_case(world.school_a1, by, klass_students=[world.student_own])
    b = as_user(world.user[Role.BUREAU_SAFETY])
    page = b.get(reverse("oversight:accountability")).content.decode()
    assert "初一1班" in page and "记录问责" in page
    link = (
        reverse("oversight:action_create")
        + f"?school={world.school_a1.pk}&level=class&klass={world.class_a1_1.pk}"
    )
    assert b.get(link).status_code == 200
    due = (clock.today() + dt.timedelta(days=14)).isoformat()
    r = b.post(
        reverse("oversight:action_create"),
        {
            "school": world.school_a1.pk,
            "kind": "interview",
            "level": "class",
            "klass": world.class_a1_1.pk,
            "reason": "一学期内认定欺凌事件 2 起",
            "decided_on": clock.today().isoformat(),
            "interviewees": "班主任 王老师",
            "interviewers": "教体局安全股",
            "agreed": "加强课间巡查",
            "owner": world.user[Role.CLASS_TEACHER].pk,
            "follow_up_due": due,
        },
    )
    a = Action.objects.get()
    assert r.status_code == 302 and a.interviewees == "班主任 王老师"
    assert "本学期已问责" in b.get(reverse("oversight:accountability")).content.decode()
    x = as_user(world.user[Role.BUREAU_SAFETY]).get(reverse("oversight:accountability") + "?format=xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(x.content))
    assert wb.sheetnames == ["通报约谈名单", "问责措施"] and wb["问责措施"]["G2"].value == "班主任 王老师"
    # the teacher named records the follow-up from the action page
    t = as_user(world.user[Role.CLASS_TEACHER])
    assert t.get(reverse("oversight:action_detail", args=[a.pk])).status_code == 200
    r = t.post(
        reverse("oversight:action_detail", args=[a.pk]),
        {"done_note": "已整改", "done_on": clock.today().isoformat()},
    )
    a.refresh_from_db()
    assert r.status_code == 302 and a.done_on
    # another teacher of the school may not read it; a school's principal sees it, the other county's bureau not
    assert (
        as_user(world.user[Role.SUBJECT_TEACHER])
        .get(reverse("oversight:action_detail", args=[a.pk]))
        .status_code
        == 404
    )
    assert as_user(world.user[Role.PRINCIPAL]).get(reverse("oversight:action_list")).status_code == 200
    assert (
        as_user(world.user_b[Role.BUREAU_SAFETY])
        .get(reverse("oversight:action_detail", args=[a.pk]))
        .status_code
        == 404
    )


def test_settings_page_only_for_the_bureau(world, as_user):
    b = as_user(world.user[Role.BUREAU_SAFETY])
    r = b.post(
        reverse("oversight:settings"),
        {"class_cases": 3, "grade_cases": 4, "school_cases": 6, "severe_any": "on", "repeat_bully_cases": 2},
    )
    assert r.status_code == 302 and services.setting_for(world.county_a.pk).class_cases == 3
    assert as_user(world.user[Role.PRINCIPAL]).get(reverse("oversight:settings")).status_code == 403


def _count(client, url, django_assert_max_num_queries, limit):
    client.get(url)
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200


def test_lists_have_a_fixed_number_of_queries(
    world, leader, teacher, hazard, as_user, django_assert_max_num_queries
):
    by = world.user[Role.MIDDLE_MANAGER]
    for i in range(6):
        p = services.save_post(by=leader, school=world.school_a1, data={"name": f"岗{i}", "hazard": hazard})
        shift_for(p, leader, teacher)
        shift_for(p, leader, leader, weekday=1)
        services.record_observation(by=teacher, post=p, summary="正常")
        make_case(
            world.school_a1,
            by,
            klass_students=[world.student_own, world.student_other_class],
            result="severe",
        )
        services.save_action(
            by=world.user[Role.BUREAU_SAFETY],
            school=world.school_a1,
            data={
                "kind": "notice", "level": "school", "reason": "r", "owner": leader,
                "follow_up_due": clock.today() + dt.timedelta(days=3),
            },
        )  # fmt: skip
    c = as_user(leader)
    for name in ("oversight:post_list", "oversight:observation_list"):
        _count(c, reverse(name), django_assert_max_num_queries, 16)
    _count(as_user(teacher), reverse("oversight:my_posts"), django_assert_max_num_queries, 14)
    b = as_user(world.user[Role.BUREAU_SAFETY])
    for name in ("oversight:accountability", "oversight:action_list", "oversight:post_list"):
        _count(b, reverse(name), django_assert_max_num_queries, 18)


def test_safety_officers_names_only_to_those_who_may_read_them(world, leader, teacher, post, as_user):
    """The bureau and security staff read the posts but not the 学生安全员 (org.safetyofficer.view):
    the page and the export say one is arranged, without the child's name."""
    from anxin.org.models import SafetyOfficer

    officer = SafetyOfficer.objects.create(
        county=world.county_a,
        school=world.school_a1,
        klass=world.class_a1_1,
        student=world.student_own,
        appointed_on=clock.today(),
    )
    shift_for(post, leader, teacher, officer=officer)
    url = reverse("oversight:post_detail", args=[post.pk])
    assert world.student_own.name in as_user(leader).get(url).content.decode()
    for role in (Role.BUREAU_SAFETY, Role.SECURITY_STAFF):
        page = as_user(world.user[role]).get(url).content.decode()
        assert world.student_own.name not in page and "学生安全员（已安排）" in page, role
    # on their own shift too: the security guard's 我的监督岗
    guard = world.user[Role.SECURITY_STAFF]
    shift_for(post, leader, guard, officer=officer)
    mine = as_user(guard).get(reverse("oversight:my_posts")).content.decode()
    assert world.student_own.name not in mine and "学生安全员（已安排）" in mine
    assert world.student_own.name in as_user(teacher).get(reverse("oversight:my_posts")).content.decode()
