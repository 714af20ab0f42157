"""Coverage against an independent count; the duties it raises; the campaign evaluators."""

import datetime as dt
import random

import pytest

from anxin.accounts.models import Membership
from anxin.core import clock, duties, evaluators
from anxin.core.roles import Role
from anxin.core.testing import make_school, make_user
from anxin.education import periods, services
from anxin.education.coverage import class_coverage, staff_coverage
from anxin.education.models import ClassAttendance, StaffAttendance
from anxin.education.permissions import STAFF
from anxin.education.tests.conftest import activity, days_ago


def _independent_trained(school, start, end):
    """Count by hand: each staff member in post, trained if any of their attendances is at a
    staff training held in the span."""
    staff = {}
    for m in Membership.objects.filter(school=school):
        if m.role in STAFF and (m.ended_on is None or m.ended_on > clock.today()):
            staff.setdefault(m.user_id, set()).add(m.role)
    trained = set()
    for att in StaffAttendance.objects.filter(school=school).select_related("activity"):
        if att.activity.kind == "staff_training" and start <= att.activity.held_on <= end:
            trained.add(att.user_id)
    per_post = {}
    for uid, roles in staff.items():
        for r in roles:
            t, n = per_post.get(r, (0, 0))
            per_post[r] = (t + (uid in trained), n + 1)
    return len(staff), len(set(staff) & trained), per_post


def test_staff_coverage_matches_an_independent_count(world, mm):
    rng = random.Random(7)
    school = world.school_a1
    extra = [
        make_user(f"t{i}", world.county_a, Role.SUBJECT_TEACHER, school, world.class_a1_2) for i in range(12)
    ]
    # a person with two posts counts once in the total and once in each post
    Membership.objects.create(
        user=extra[0],
        role=Role.CLASS_TEACHER,
        county=world.county_a,
        school=school,
        klass=world.class_a1_2,
        started_on=dt.date(2024, 1, 1),
    )
    # someone who left is not counted
    Membership.objects.filter(user=extra[1]).update(ended_on=days_ago(3))
    y0, y1 = periods.year_span(periods.year_of())
    trainings = [activity(world, mm, held_on=max(y0, days_ago(d))) for d in (2, 20)]
    other = activity(world, mm, kind="moral")  # not a training
    old = activity(world, mm, held_on=y0 - dt.timedelta(days=10))  # last school year
    people = list(services.school_staff(school.pk)) + [extra[1]]
    for a in (*trainings, other, old):
        for u in people:
            if rng.random() < 0.4:
                StaffAttendance.objects.create(
                    county=world.county_a, school=school, activity=a, user=u, recorded_by=mm
                )
    total, trained, per_post = _independent_trained(school, y0, y1)
    cov = staff_coverage([school, world.school_a2], y0, y1)
    got = cov[school.pk]
    assert (got.total, got.trained) == (total, trained)
    assert {p.role: (p.trained, p.total) for p in got.posts} == per_post
    assert len(got.untrained) == total - trained
    assert cov[world.school_a2.pk].total == 0


def test_class_coverage_and_the_duty(world, mm):
    services.update_setting(world.user[Role.BUREAU_SAFETY], world.county_a.pk, {"class_meetings_per_term": 2})
    t0 = periods.term_start(clock.today())
    for d in (0, 1):
        a = activity(world, mm, kind="class_meeting", held_on=max(t0, days_ago(d)))
        services.set_classes(mm, a, {world.class_a1_1: 40})
    a = activity(world, mm, kind="class_meeting", held_on=max(t0, days_ago(2)))
    services.set_classes(mm, a, {world.class_a1_2: 40})
    before = activity(world, mm, kind="class_meeting", held_on=t0 - dt.timedelta(days=1))
    services.set_classes(mm, before, {world.class_a1_2: 40})
    cov = class_coverage([world.school_a1], t0, periods.term_end(), 2)[world.school_a1.pk]
    held = {r.klass.pk: r.held for r in cov.rows}
    by_hand = {
        c.pk: ClassAttendance.objects.filter(
            klass=c, activity__kind="class_meeting", activity__held_on__gte=t0
        ).count()
        for c in (world.class_a1_1, world.class_a1_2)
    }
    assert held == by_hand == {world.class_a1_1.pk: 2, world.class_a1_2.pk: 1}
    assert [r.klass for r in cov.short] == [world.class_a1_2]

    got = [d for d in duties.duties_for(mm) if d.kind == "education.class_meetings"]
    assert len(got) == 1 and "1个班" in got[0].title and "kind=class_meeting" in got[0].url
    assert got[0].post == Role.MIDDLE_MANAGER and got[0].is_mine(mm)
    assert not got[0].is_mine(world.user[Role.CLASS_TEACHER])
    # N set lower: no gap, no duty
    services.update_setting(world.user[Role.BUREAU_SAFETY], world.county_a.pk, {"class_meetings_per_term": 1})
    assert not [d for d in duties.duties_for(mm) if d.kind == "education.class_meetings"]


def test_untrained_staff_duty(world, mm):
    got = [d for d in duties.duties_for(mm) if d.kind == "education.staff_training"]
    total = services.school_staff(world.school_a1.pk).count()
    assert len(got) == 1 and f"{total}名" in got[0].title
    a = activity(world, mm)
    services.set_staff(mm, a, list(services.school_staff(world.school_a1.pk)))
    assert not [d for d in duties.duties_for(mm) if d.kind == "education.staff_training"]
    # teachers owe none of the school's (a class teacher owes only their own class's 主题班会,
    # test_class_meeting.py); the bureau owes none of a school's
    assert not [
        d
        for d in duties.duties_for(world.user[Role.CLASS_TEACHER])
        if d.kind in ("education.class_meetings", "education.staff_training")
    ]
    assert not [
        d for d in duties.duties_for(world.user[Role.BUREAU_SAFETY]) if d.kind.startswith("education.")
    ]


# --- evaluators -------------------------------------------------------------------------------

KEYS = ("education.staff_trained", "education.class_meetings_held", "education.law_education_held")


def _window():
    today = clock.today()
    return evaluators.Window(today - dt.timedelta(days=30), today + dt.timedelta(days=30))


@pytest.fixture
def many(world):
    extra = [make_school(world.county_a, f"测试学校{i}", f"29990000{i:02d}")[0] for i in range(6)]
    return [world.school_a1, world.school_a2, *extra]


@pytest.mark.parametrize("key", KEYS)
def test_evaluators_are_false_when_nothing_is_done(world, many, key):
    got = evaluators.get(key).evaluate(many, _window())
    assert not any(o.done for o in got.values())


@pytest.mark.parametrize("key", KEYS)
def test_evaluators_cost_a_fixed_number_of_queries(world, many, key, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        evaluators.get(key).evaluate(many, _window())


def test_staff_trained_true_and_false(world, mm):
    ev = evaluators.get("education.staff_trained")
    a = activity(world, mm)
    staff = list(services.school_staff(world.school_a1.pk))
    services.set_staff(mm, a, staff[:-1])
    got = ev.evaluate([world.school_a1], _window(), {"min_share": 0.8})[world.school_a1.pk]
    assert got.done == ((len(staff) - 1) / len(staff) >= 0.8)
    assert not ev.evaluate([world.school_a1], _window(), {"min_share": 1})[world.school_a1.pk].done
    services.set_staff(mm, a, staff)
    assert ev.evaluate([world.school_a1], _window(), {"min_share": 1})[world.school_a1.pk].done
    # outside the window it does not count
    later = evaluators.Window(clock.today() + dt.timedelta(days=1), clock.today() + dt.timedelta(days=9))
    assert not ev.evaluate([world.school_a1], later)[world.school_a1.pk].done


def test_class_meetings_held_true_and_false(world, mm):
    ev = evaluators.get("education.class_meetings_held")
    a = activity(world, mm, kind="class_meeting")
    services.set_classes(mm, a, {world.class_a1_1: 40})
    assert not ev.evaluate([world.school_a1], _window())[world.school_a1.pk].done
    services.set_classes(mm, a, {world.class_a1_1: 40, world.class_a1_2: 38})
    assert ev.evaluate([world.school_a1], _window(), {"min_per_class": 1})[world.school_a1.pk].done
    assert not ev.evaluate([world.school_a1], _window(), {"min_per_class": 2})[world.school_a1.pk].done


def test_law_education_held_true_and_false(world, mm):
    ev = evaluators.get("education.law_education_held")
    activity(world, mm, kind="moral")
    assert not ev.evaluate([world.school_a1], _window())[world.school_a1.pk].done
    vp = world.user[Role.LEGAL_VP]
    services.create_activity(
        vp, world.school_a1, {"kind": "legal_visit", "title": "法治副校长进校", "held_on": clock.today()}
    )
    got = ev.evaluate([world.school_a1, world.school_a2], _window())
    assert got[world.school_a1.pk].done and not got[world.school_a2.pk].done
