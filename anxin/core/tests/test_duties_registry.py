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
