"""Screening duties on 工作台: a class to screen by the round's deadline (its class teacher),
the school's round (its leaders; the bureau once due this week), a rectification item (its
owner), and "new" when a student's risk rises to 橙/红 — each goes when done."""

from __future__ import annotations

import datetime as dt

from anxin.core import clock, duties
from anxin.core.roles import Role
from anxin.screening import services
from anxin.screening.models import Rectification, RiskAssessment


def _duties(user, kind, now=None):
    for attr in ("_anxin_screening_cov", "_anxin_last_seen_home"):
        if hasattr(user, attr):
            delattr(user, attr)
    return {d.ref: d for d in duties.duties_for(user, now or clock.now(), kinds=[kind])}


def _round(world, days):
    today = clock.today()
    return services.open_round(
        by=world.user[Role.SAFETY_LEADER],
        school=world.school_a1,
        title="秋季排查",
        opened_on=today - dt.timedelta(days=10),
        deadline=today + dt.timedelta(days=days),
    )


OK = {"psych": "good", "mood": "stable", "peers": "harmonious"}


def test_the_class_is_its_teachers_and_the_school_its_leaders(world):
    r = _round(world, 20)
    teacher = world.user[Role.CLASS_TEACHER]
    class_ref = f"screening.round:{r.pk}:class:{world.class_a1_1.pk}"
    school_ref = f"screening.round:{r.pk}"
    d = _duties(teacher, "screening.class")[class_ref]
    assert d.is_mine(teacher) and d.due == r.deadline and "0/1" in d.detail
    assert set(_duties(teacher, "screening.class")) == {class_ref}  # not the other class
    assert school_ref in _duties(world.user[Role.SAFETY_LEADER], "screening.school")
    assert school_ref in _duties(world.user[Role.PRINCIPAL], "screening.school")
    # the bureau: not before the deadline
    bureau = world.user[Role.BUREAU_SAFETY]
    assert school_ref not in _duties(bureau, "screening.school")
    assert school_ref not in _duties(bureau, "screening.school", clock.now() + dt.timedelta(days=18))
    late = clock.now() + dt.timedelta(days=21)
    d = _duties(bureau, "screening.school", late)[school_ref]
    assert d.post == Role.SAFETY_LEADER and duties.can_chase(bureau, d, late)
    assert school_ref not in _duties(world.user_b[Role.BUREAU_SAFETY], "screening.school", late)
    services.save_record(by=teacher, round=r, student=world.student_own, data=OK)
    assert class_ref not in _duties(teacher, "screening.class")
    services.save_record(
        by=world.user[Role.SAFETY_LEADER], round=r, student=world.student_other_class, data=OK
    )
    assert school_ref not in _duties(world.user[Role.SAFETY_LEADER], "screening.school")
    assert school_ref not in _duties(bureau, "screening.school", late)


def test_a_rectification_is_its_owners_and_overdue_ones_reach_the_leaders(world):
    mm, leader = world.user[Role.MIDDLE_MANAGER], world.user[Role.SAFETY_LEADER]
    item = Rectification.objects.create(
        county=world.county_a,
        school=world.school_a1,
        problem="厕所无人值守",
        measure="课间安排值守",
        owner=mm,
        due_date=clock.today() + dt.timedelta(days=3),
    )
    ref = f"screening.rectification:{item.pk}"
    assert ref in _duties(mm, "screening.rectification")
    assert ref not in _duties(leader, "screening.rectification")
    Rectification.objects.filter(pk=item.pk).update(due_date=clock.today() - dt.timedelta(days=1))
    assert ref in _duties(leader, "screening.rectification")
    assert ref in _duties(world.user[Role.BUREAU_SAFETY], "screening.rectification")
    Rectification.objects.filter(pk=item.pk).update(status=Rectification.Status.DONE, done_on=clock.today())
    assert ref not in _duties(mm, "screening.rectification")


def test_a_rise_to_orange_is_new_for_the_class_teacher_until_looked_at(world, as_user):
    teacher = world.user[Role.CLASS_TEACHER]
    as_user(teacher).get("/home/")
    a = RiskAssessment.objects.create(
        county=world.county_a,
        school=world.school_a1,
        student=world.student_own,
        level="orange",
        previous_level="yellow",
        points=5,
        reasons=[],
    )
    ref = f"screening.riskassessment:{a.pk}"
    d = _duties(teacher, "screening.risk_up")[ref]
    assert d.new and world.student_own.name in d.title
    assert ref not in _duties(world.user_b[Role.CLASS_TEACHER], "screening.risk_up")
    body = as_user(teacher).get("/home/").content.decode()
    assert "风险升至橙" in body
    assert ref not in _duties(teacher, "screening.risk_up")  # looked at


def test_screening_duties_are_the_same_with_kept_statements(world):
    """The open rounds, their coverage and the class teachers read with kept statements
    (core.sqlcache) give what freshly built queries give, for each post, before and after the
    deadline and as records come in."""
    from unittest import mock

    from anxin.core import policy, sqlcache

    def plain(key, build, *values):
        return list(build(*values))

    r = _round(world, 5)
    kinds = ["screening.class", "screening.school"]
    people = [world.user[role] for role in (Role.CLASS_TEACHER, Role.SAFETY_LEADER, Role.PRINCIPAL)]
    people += [world.user[Role.BUREAU_SAFETY], world.user_b[Role.BUREAU_SAFETY]]

    def compare(now):
        seen = 0
        for user in people:
            policy.forget(user)
            kept = _duties(user, kinds[0], now) | _duties(user, kinds[1], now)
            with mock.patch.object(sqlcache, "rows", plain):
                fresh = _duties(user, kinds[0], now) | _duties(user, kinds[1], now)
            assert kept == fresh, user.username
            seen += len(kept)
        return seen

    soon, late = clock.now() + dt.timedelta(days=1), clock.now() + dt.timedelta(days=8)
    assert compare(soon) >= 3
    assert compare(late) >= 5  # past the deadline: the leaders chase the classes, the bureau the school
    services.save_record(by=world.user[Role.CLASS_TEACHER], round=r, student=world.student_own, data=OK)
    assert compare(late) >= 3
