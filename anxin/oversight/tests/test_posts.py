import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from anxin.core import clock, duties
from anxin.core.evaluators import Window, get
from anxin.core.models import keys_of
from anxin.core.roles import Role
from anxin.oversight import services
from anxin.oversight.models import Observation, PostShift
from anxin.oversight.posts import states
from anxin.oversight.tests.conftest import shift_for

pytestmark = pytest.mark.django_db


def test_post_needs_a_place_and_its_school(world, leader, hazard):
    with pytest.raises(ValidationError):
        services.save_post(by=leader, school=world.school_a1, data={"name": "无地点"})
    with pytest.raises(PermissionDenied):
        services.save_post(
            by=world.user[Role.CLASS_TEACHER], school=world.school_a1, data={"name": "x", "place": "y"}
        )
    with pytest.raises(PermissionDenied):
        services.save_post(
            by=world.user_b[Role.SAFETY_LEADER], school=world.school_a1, data={"name": "x", "place": "y"}
        )
    other = services.save_post(by=leader, school=world.school_a1, data={"name": "校门", "place": "校门口"})
    assert other.where == "校门口"


def test_shift_rules(world, leader, teacher, post):
    with pytest.raises(ValidationError) as exc:
        shift_for(post, leader, None)
    assert "staff" in exc.value.message_dict
    with pytest.raises(ValidationError):
        shift_for(post, leader, teacher, start=dt.time(10, 0), end=dt.time(9, 0))
    with pytest.raises(ValidationError):  # staff of another school
        shift_for(post, leader, world.user_b[Role.CLASS_TEACHER])
    s = shift_for(post, leader, teacher)
    assert s.school_id == world.school_a1.pk


def test_gaps_and_cameras(world, leader, teacher, post, hazard):
    from anxin.org.models import SafetyOfficer

    (state,) = states([post])
    assert state.gaps and state.no_camera and not state.staffed
    officer = SafetyOfficer.objects.create(
        county=world.county_a,
        school=world.school_a1,
        klass=world.class_a1_1,
        student=world.student_own,
        appointed_on=dt.date(2026, 9, 1),
    )
    only_student = shift_for(post, leader, None, officer=officer)
    (state,) = states([post])
    assert state.unstaffed == [only_student] and not state.staffed
    services.save_shift(by=leader, post=post, data={"staff": teacher}, shift=only_student)
    from anxin.screening.models import Camera

    cam = Camera.objects.create(county=world.county_a, school=world.school_a1, name="C1")
    cam.covers.add(hazard, through_defaults=keys_of(cam))
    (state,) = states([post])
    assert state.staffed and not state.no_camera and not state.gaps


def test_gap_is_a_duty_for_the_safety_leader(world, leader, teacher, post):
    found = [d for d in duties.duties_for(leader, clock.now()) if d.kind == "oversight.post_gap"]
    assert [d.ref for d in found] == [f"oversight.post:{post.pk}"]
    assert not [d for d in duties.duties_for(teacher, clock.now()) if d.kind == "oversight.post_gap"]
    shift_for(post, leader, teacher)
    assert not [d for d in duties.duties_for(leader, clock.now()) if d.kind == "oversight.post_gap"]


def test_teacher_on_shift_records_into_the_duty_log(world, leader, teacher, post):
    from anxin.core import policy
    from anxin.screening.models import DutyLog

    # the screening duty log's own right does not reach a class teacher …
    assert not policy.allows(
        teacher, DutyLog(county_id=world.county_a.pk, school_id=world.school_a1.pk), "change"
    )
    from anxin.screening.services import log_duty

    with pytest.raises(PermissionDenied):  # screening's own service still refuses them directly
        log_duty(by=teacher, school=world.school_a1, summary="x")
    with pytest.raises(PermissionDenied):  # … nor may one record at a post they do not stand
        services.record_observation(by=teacher, post=post, summary="正常")
    shift = shift_for(post, leader, teacher)
    obs = services.record_observation(by=teacher, post=post, summary="课间秩序正常")
    assert obs.shift == shift and not obs.flagged and obs.concern_id is None
    log = DutyLog.objects.get(pk=obs.duty_log_id)
    assert log.logged_by == teacher and "东楼梯监督岗" in log.summary and log.place == "教学楼东侧楼梯口"
    with pytest.raises(ValidationError):
        services.record_observation(by=teacher, post=post, summary="   ")


def test_flagged_observation_reaches_the_triage_inbox(world, leader, teacher, post):
    from anxin.intake.models import Concern

    shift_for(post, leader, teacher)
    obs = services.record_observation(
        by=teacher, post=post, summary="三名学生围住一名初一学生索要零花钱", flagged=True
    )
    concern = Concern.objects.get(pk=obs.concern_id)
    assert concern.school_id == world.school_a1.pk and concern.channel == "monitoring"
    assert "索要零花钱" in concern.text
    assert Observation.objects.get(pk=obs.pk).duty_log.is_sign


def test_leader_records_anywhere_other_staff_not(world, leader, post):
    services.record_observation(by=leader, post=post, summary="巡查正常")
    with pytest.raises(PermissionDenied):
        services.record_observation(by=world.user[Role.SUBJECT_TEACHER], post=post, summary="x")
    with pytest.raises(PermissionDenied):
        services.record_observation(by=world.user[Role.BUREAU_SAFETY], post=post, summary="x")


def test_evaluator_posts_staffed(world, leader, teacher, post):
    ev = get("oversight.posts_staffed")
    win = Window(dt.date(2026, 9, 1), dt.date(2027, 1, 31))
    schools = [world.school_a1, world.school_a2]
    out = ev.fn(schools, win, {"min_posts": 1})
    assert not out[world.school_a1.pk].done and not out[world.school_a2.pk].done
    shift_for(post, leader, teacher)
    out = ev.fn(schools, win, {"min_posts": 1})
    assert out[world.school_a1.pk].done and "1/1" in out[world.school_a1.pk].detail
    out = ev.fn(schools, win, {"min_posts": 2})
    assert not out[world.school_a1.pk].done
    PostShift.objects.create(
        county=world.county_a,
        school=world.school_a1,
        post=post,
        weekday=1,
        start_time=dt.time(7),
        end_time=dt.time(8),
    )  # a gap (no staff) makes the post not staffed
    assert not ev.fn(schools, win, {"min_posts": 1})[world.school_a1.pk].done


def test_evaluator_fixed_queries(world, leader, teacher, post, django_assert_max_num_queries):
    from anxin.org.models import School

    ev = get("oversight.posts_staffed")
    with django_assert_max_num_queries(2):
        ev.fn(list(School.objects.all()), Window(dt.date(2026, 9, 1), dt.date(2027, 1, 31)), {"min_posts": 1})
