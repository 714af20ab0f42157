"""A class teacher records their own class's 主题班会 in one form on the phone; it counts for the
class's coverage at once and clears their duty. Another class, a future date, a blank theme
are refused whole."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from anxin.core import clock, duties
from anxin.core.roles import Role
from anxin.education import periods, services
from anxin.education.coverage import class_coverage
from anxin.education.models import Activity, ClassAttendance


def _mine(user):
    return [d for d in duties.duties_for(user) if d.kind == "education.my_class_meetings"]


def test_the_class_teacher_records_their_class_meeting_on_the_phone(world, teacher, as_user):
    services.update_setting(world.user[Role.BUREAU_SAFETY], world.county_a.pk, {"class_meetings_per_term": 1})
    got = _mine(teacher)
    assert len(got) == 1 and "0/1" in got[0].title and got[0].is_mine(teacher)
    assert not got[0].is_mine(world.user[Role.SUBJECT_TEACHER])
    c = as_user(teacher)
    listing = c.get(reverse("education:activity_list")).content.decode()
    assert reverse("education:class_meeting_create") in listing  # also reachable from the register
    page = c.get(got[0].url)
    assert page.status_code == 200 and "登记主题班会" in page.content.decode()
    # only their own class is offered
    assert list(page.context["form"].fields["klass"].queryset) == [world.class_a1_1]
    r = c.post(
        reverse("education:class_meeting_create"),
        {
            "klass": world.class_a1_1.pk,
            "held_on": clock.today().isoformat(),
            "title": "友善同行",
            "present": "41",
        },
    )
    assert r.status_code == 302 and r["Location"] == reverse("core:home")
    a = Activity.objects.get(title="友善同行")
    assert a.kind == "class_meeting" and a.status == "closed" and a.presenter == teacher
    assert list(ClassAttendance.objects.filter(activity=a).values_list("klass_id", "students")) == [
        (world.class_a1_1.pk, 41)
    ]
    t0 = periods.term_start(clock.today())
    cov = class_coverage([world.school_a1], t0, periods.term_end(), 1)[world.school_a1.pk]
    assert world.class_a1_1 not in [r.klass for r in cov.short]
    assert _mine(teacher) == []


def test_another_class_a_future_date_or_no_theme_is_refused_whole(world, teacher, as_user):
    with pytest.raises(PermissionDenied):
        services.record_class_meeting(teacher, world.class_a1_2, {"title": "x", "held_on": clock.today()})
    with pytest.raises(ValidationError) as e:
        services.record_class_meeting(
            teacher, world.class_a1_1, {"title": " ", "held_on": clock.today() + dt.timedelta(days=1)}
        )
    assert set(e.value.message_dict) == {"title", "held_on"}
    assert not Activity.objects.exists() and not ClassAttendance.objects.exists()
    # the page: another class is not a choice; the error is in Chinese and what was typed stays
    c = as_user(teacher)
    r = c.post(
        reverse("education:class_meeting_create"),
        {"klass": world.class_a1_2.pk, "held_on": clock.today().isoformat(), "title": "主题"},
    )
    assert r.status_code == 200 and "选择一个有效的选项" in r.content.decode()
    r = c.post(
        reverse("education:class_meeting_create"),
        {
            "klass": world.class_a1_1.pk,
            "held_on": (clock.today() + dt.timedelta(days=2)).isoformat(),
            "title": "明天的班会",
        },
    )
    body = r.content.decode()
    assert r.status_code == 200 and "开完再登记" in body and "明天的班会" in body
    assert not Activity.objects.exists()


def test_who_may_record_a_class_meeting(world, as_user, mm):
    # a subject teacher holds no class: refused (403, audited)
    c = as_user(world.user[Role.SUBJECT_TEACHER])
    assert c.get(reverse("education:class_meeting_create")).status_code == 403
    # the 德育/政教主任 may record for any class of their school
    assert set(services.meeting_classes(mm)) >= {world.class_a1_1, world.class_a1_2}
    a = services.record_class_meeting(mm, world.class_a1_2, {"title": "主题", "held_on": clock.today()})
    assert a.school_id == world.school_a1.pk


def test_a_second_tap_does_not_count_the_meeting_twice(world, teacher):
    data = {"title": "友善同行", "held_on": clock.today(), "present": 40}
    services.record_class_meeting(teacher, world.class_a1_1, data)
    with pytest.raises(ValidationError, match="已登记过"):
        services.record_class_meeting(teacher, world.class_a1_1, data)
    assert ClassAttendance.objects.filter(klass=world.class_a1_1).count() == 1
