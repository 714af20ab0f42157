"""R-CARE-2: logging a talk or home visit on a phone takes a minute: one short form, sensible
defaults, clear Chinese errors."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from anxin.care import services
from anxin.care.models import ContactLog
from anxin.core import clock


@pytest.mark.django_db
def test_quick_log_form_has_defaults_now_and_talk(plan, teacher, as_user):
    c = as_user(teacher)
    r = c.get(f"/care/plans/{plan.pk}/log/", HTTP_USER_AGENT="Mobile")
    html = r.content.decode()
    assert r.status_code == 200
    assert 'value="talk" selected' in html
    assert clock.local_now().strftime("%Y-%m-%dT") in html  # the time is filled in


@pytest.mark.django_db
def test_quick_log_with_only_a_summary_logs_a_talk_by_me_for_the_plans_student(world, plan, teacher, as_user):
    c = as_user(teacher)
    now = clock.local_now().strftime("%Y-%m-%dT%H:%M")
    r = c.post(
        f"/care/plans/{plan.pk}/log/", {"kind": "talk", "summary": "聊了学习和家里情况", "occurred_at": now}
    )
    contact = ContactLog.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/care/plans/{plan.pk}/#c{contact.pk}"
    assert (contact.staff, contact.student, contact.kind, contact.plan) == (
        teacher,
        world.student_own,
        "talk",
        plan,
    )
    plan.refresh_from_db()
    assert plan.last_contact_at == contact.occurred_at
    page = c.get(f"/care/plans/{plan.pk}/").content.decode()
    assert "聊了学习和家里情况" in page  # on the timeline


@pytest.mark.django_db
def test_quick_log_validation_errors_are_in_chinese(plan, teacher, as_user):
    c = as_user(teacher)
    r = c.post(
        f"/care/plans/{plan.pk}/log/", {"kind": "talk", "summary": "", "occurred_at": "", "anomaly": "on"}
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert "请填写情况摘要。" in html
    assert "请填写联系时间。" in html
    assert "发现异常时请写明异常情况。" in html
    future = (clock.local_now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    r = c.post(f"/care/plans/{plan.pk}/log/", {"kind": "talk", "summary": "x", "occurred_at": future})
    assert "联系时间不能晚于现在。" in r.content.decode()
    assert not ContactLog.objects.exists()


@pytest.mark.django_db
def test_counselling_cannot_be_logged_as_a_talk(plan, teacher):
    with pytest.raises(ValidationError) as exc:
        services.log_contact(teacher, plan=plan, kind="counselling", summary="x")
    assert "心理辅导请由心理教师在“心理辅导”中记录。" in exc.value.messages


@pytest.mark.django_db
def test_home_contact_without_plan_attaches_to_the_students_running_plan(world, plan, teacher, as_user):
    c = as_user(teacher)
    now = clock.local_now().strftime("%Y-%m-%dT%H:%M")
    r = c.post(
        f"/care/students/{world.student_own.pk}/log/",
        {"kind": "phone_visit", "summary": "电话联系母亲", "occurred_at": now},
    )
    assert r.status_code == 302
    assert ContactLog.objects.get().plan == plan


@pytest.mark.django_db
def test_closed_plan_takes_no_more_contacts(plan, leader, teacher):
    services.close_plan(leader, plan, "已转学")
    with pytest.raises(ValidationError):
        services.log_contact(teacher, plan=plan, summary="x")


@pytest.mark.django_db
def test_one_running_plan_of_each_kind_per_student(world, plan, leader):
    with pytest.raises(ValidationError) as exc:
        services.create_plan(leader, world.student_own)
    assert "该学生已有进行中的关爱帮扶计划。" in exc.value.messages
    watch = services.create_plan(leader, world.student_own, kind="watch")
    assert watch.measures == ["watch", "talk"] and watch.owner == world.user["class_teacher"]
