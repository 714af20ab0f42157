"""The duty registry orders duties by urgency and refuses a kind registered twice."""

import datetime as dt

import pytest
from django.utils import timezone

from anxin.core import duties


def _now():
    return timezone.make_aware(dt.datetime(2026, 12, 4, 10, 0))


def test_state_follows_the_due_time():
    now = _now()
    assert duties.Duty("k", "t", "/", due=now - dt.timedelta(minutes=1)).state(now) == duties.State.OVERDUE
    assert duties.Duty("k", "t", "/", due=now + dt.timedelta(days=2)).state(now) == duties.State.DUE_SOON
    assert duties.Duty("k", "t", "/", due=now + dt.timedelta(days=30)).state(now) == duties.State.OPEN
    assert duties.Duty("k", "t", "/", new=True).state(now) == duties.State.NEW
    # a date is due at the end of that day
    assert duties.Duty("k", "t", "/", due=now.date()).state(now) == duties.State.DUE_SOON
    assert (
        duties.Duty("k", "t", "/", due=now.date() - dt.timedelta(days=1)).state(now) == duties.State.OVERDUE
    )


def test_a_date_is_due_at_the_end_of_that_day_local_time_and_equal_duties_stay_equal():
    d = duties.Duty("k", "t", "/", due=dt.date(2026, 12, 4))
    at = d.due_at()
    assert at == timezone.make_aware(dt.datetime(2026, 12, 4, 23, 59, 59))
    assert at.utcoffset() == dt.timedelta(hours=8)  # Asia/Shanghai
    assert d.due_at() is at  # worked out once
    # the kept value is no field: a duty asked for its due time equals one that was not
    assert d == duties.Duty("k", "t", "/", due=dt.date(2026, 12, 4))
    assert hash(d) == hash(duties.Duty("k", "t", "/", due=dt.date(2026, 12, 4)))


def test_duties_for_sorts_most_urgent_first(monkeypatch):
    now = _now()
    monkeypatch.setattr(duties, "_PROVIDERS", {})
    monkeypatch.setattr(duties, "_DISCOVERED", True)

    @duties.provider("test.a")
    def a(user, when):
        yield duties.Duty("test.a", "later", "/a", due=when + dt.timedelta(days=20))
        yield duties.Duty("test.a", "late", "/b", due=when - dt.timedelta(days=1))

    @duties.provider("test.b")
    def b(user, when):
        yield duties.Duty("test.b", "new", "/c", new=True)
        yield duties.Duty("test.b", "soon", "/d", due=when + dt.timedelta(days=1))

    assert [d.title for d in duties.duties_for(None, now)] == ["late", "soon", "new", "later"]
    assert [d.title for d in duties.duties_for(None, now, kinds=["test.b"])] == ["soon", "new"]
    with pytest.raises(ValueError):
        duties.provider("test.a")(lambda user, when: [])


def test_within_the_same_urgency_priority_comes_before_the_due_time():
    now = _now()
    late = now - dt.timedelta(days=7)
    rectify = duties.Duty("screening.rectification", "整改", "/r", due=late)
    emergency = duties.Duty("intake.emergency", "求救", "/e", due=now - dt.timedelta(minutes=5), priority=0)
    report = duties.Duty("cases.first_report", "首报", "/f", due=now - dt.timedelta(hours=1), priority=1)
    ordered = sorted([rectify, report, emergency], key=lambda d: d.sort_key(now))
    assert [d.title for d in ordered] == ["求救", "首报", "整改"]
    # urgency first: a due-soon emergency never comes before an overdue rectification
    soon = duties.Duty("intake.emergency", "x", "/x", due=now + dt.timedelta(hours=1), priority=0)
    assert sorted([soon, rectify], key=lambda d: d.sort_key(now))[0] is rectify


def test_a_duty_is_mine_by_person_or_by_post(world):
    from anxin.core.roles import Role

    leader, principal = world.user[Role.SAFETY_LEADER], world.user[Role.PRINCIPAL]
    by_post = duties.Duty("k", "t", "/", post=Role.SAFETY_LEADER, school_id=world.school_a1.pk)
    assert by_post.is_mine(leader) and not by_post.is_mine(principal)
    assert not duties.Duty("k", "t", "/", post=Role.SAFETY_LEADER, school_id=world.school_a2.pk).is_mine(
        leader
    )
    assert duties.Duty("k", "t", "/", owner_ids=(principal.pk,)).is_mine(principal)
    assert not duties.Duty("k", "t", "/", owner_ids=(principal.pk,)).is_mine(leader)
