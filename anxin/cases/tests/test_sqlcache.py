"""core.sqlcache: a duty query is built and compiled once per reader, then run with each call's
times; the rows are the ones a freshly built query returns."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q
from django.utils import timezone

from anxin.cases.models import BullyingCase
from anxin.core import sqlcache


@pytest.fixture(autouse=True)
def _fresh():
    sqlcache.clear()
    yield
    sqlcache.clear()


def _discovered_between(calls):
    def build(lo, hi):
        calls.append((lo, hi))
        return (
            BullyingCase.objects.filter(discovered_at__gte=lo, discovered_at__lt=hi)
            .select_related("school")
            .order_by("discovered_at", "id")
        )

    return build


def test_same_rows_as_a_fresh_query_for_each_call_s_times(new_case, django_assert_num_queries):
    now = timezone.now()
    cases = [new_case(discovered_at=now - dt.timedelta(days=d)) for d in (1, 5, 9)]
    calls = []
    build = _discovered_between(calls)
    for lo_days, hi_days in ((10, 0), (6, 2), (3, 0), (20, 8)):
        lo, hi = now - dt.timedelta(days=lo_days), now - dt.timedelta(days=hi_days)
        with django_assert_num_queries(1):
            got = sqlcache.rows(("t",), build, lo, hi)
        want = list(build(lo, hi))
        assert [c.pk for c in got] == [c.pk for c in want]
        assert [c.school.name for c in got] == [c.school.name for c in want]  # select_related kept
    assert {c.pk for c in sqlcache.rows(("t",), build, now - dt.timedelta(days=10), now)} == {
        c.pk for c in cases
    }
    # built once with stand-ins (and here again, unkept, for each comparison)
    assert len(calls) == 1 + 4


def test_dates_and_value_tuples(new_case):
    today = timezone.localdate()
    case = new_case(discovered_at=timezone.now() - dt.timedelta(days=2))

    def build(day):
        return BullyingCase.objects.filter(created_at__date__lte=day).values_list("id", "number")

    assert sqlcache.rows(("d",), build, today) == [(case.pk, case.number)]
    assert sqlcache.rows(("d",), build, today - dt.timedelta(days=1)) == []


def test_another_key_builds_its_own_query(new_case):
    case = new_case()
    mine = sqlcache.rows(("k", 1), lambda: BullyingCase.objects.filter(pk=case.pk))
    other = sqlcache.rows(("k", 2), lambda: BullyingCase.objects.filter(pk=-1))
    assert [c.pk for c in mine] == [case.pk] and other == []


def test_a_time_used_only_in_python_is_refused(cw):
    def build(now):
        # (the time decides the query in Python: the kept SQL would be wrong for other times)
        return BullyingCase.objects.filter(state="closed" if now.hour > 12 else "registered")

    with pytest.raises(ValueError, match="not among"):
        sqlcache.rows(("p",), build, timezone.now())


def test_a_query_that_can_match_nothing_runs_no_query(cw, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert sqlcache.rows(("e",), lambda: BullyingCase.objects.filter(Q(pk__in=[]))) == []


def test_the_reader_key_follows_posts_and_grants(cw):
    user = cw.user["safety_leader"]
    before = sqlcache.reader_key(user)
    assert before[0] == user.pk and before[1]
    other = sqlcache.reader_key(cw.user["class_teacher"])
    assert other != before
