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
    # built once with each of the two sets of stand-ins (and here again, unkept, for each comparison)
    assert len(calls) == 2 + 4


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


def test_a_value_worked_out_inside_the_query_is_refused(cw):
    def build(now):
        # (now - 30 days computed inside: a kept statement would keep the stand-in's month)
        return BullyingCase.objects.filter(
            discovered_at__lt=now, discovered_at__gte=now - dt.timedelta(days=30)
        )

    with pytest.raises(ValueError, match="worked out"):
        sqlcache.rows(("w",), build, timezone.now())


def test_a_naive_datetime_is_refused(cw):
    with pytest.raises(TypeError, match="aware"):
        sqlcache.rows(
            ("n",), lambda t: BullyingCase.objects.filter(discovered_at__lt=t), dt.datetime(2026, 1, 1)
        )


def test_a_date_and_a_datetime_keep_their_own_places(new_case):
    now = timezone.now()
    case = new_case(discovered_at=now - dt.timedelta(days=3))
    BullyingCase.objects.filter(pk=case.pk).update(report_due_at=now + dt.timedelta(days=2))

    def build(day, moment):
        return BullyingCase.objects.filter(discovered_at__lt=moment, report_due_at__date__gte=day)

    for day, moment in (
        (timezone.localdate(), now),  # found
        (timezone.localdate() + dt.timedelta(days=5), now),  # due before the day
        (timezone.localdate(), now - dt.timedelta(days=5)),  # discovered after the moment
    ):
        want = [c.pk for c in build(day, moment)]
        assert [c.pk for c in sqlcache.rows(("dd",), build, day, moment)] == want
    assert [c.pk for c in sqlcache.rows(("dd",), build, timezone.localdate(), now)] == [case.pk]


def test_the_reader_key_follows_posts_and_grants(cw):
    from anxin.accounts.models import AccessGrant, Membership
    from anxin.core import policy
    from anxin.core.roles import Role

    user = cw.user["class_teacher"]
    before = sqlcache.reader_key(user)
    Membership.objects.create(
        user=user, role=Role.SUBJECT_TEACHER, county=cw.county_a, school=cw.school_a1, klass=cw.class_a1_2
    )
    policy.forget(user)
    with_post = sqlcache.reader_key(user)
    assert with_post != before and with_post[0] == before[0]
    now = timezone.now()
    AccessGrant.objects.create(
        grantee=user,
        county=cw.county_a,
        school=cw.school_a2,
        reason="跨校协查",
        status=AccessGrant.Status.APPROVED,
        starts_at=now - dt.timedelta(hours=1),
        expires_at=now + dt.timedelta(days=1),
    )
    policy.forget(user)
    assert sqlcache.reader_key(user) != with_post


def test_every_reader_s_duties_are_the_same_with_kept_statements(cw, new_case, drive, mm):
    """工作台's providers with their kept statements give what freshly built queries give, for
    every account of the test county, today and as the days pass (overdue, due soon)."""
    from unittest import mock

    import time_machine

    from anxin.accounts.models import User
    from anxin.cases.models import CaseState
    from anxin.core import duties, policy

    investigating = new_case()
    drive(investigating, CaseState.INVESTIGATING)
    handling = new_case()
    drive(handling, CaseState.HANDLING, result="severe")
    following = new_case()
    drive(following, CaseState.FOLLOW_UP, result="severe")
    new_case()  # registered: its 首报 due
    users = list(User.objects.filter(is_active=True).order_by("id"))

    def plain(key, build, *times):
        return list(build(*times))

    compared = 0
    for days in (0, 2, 9, 40):
        moment = timezone.now() + dt.timedelta(days=days)
        with time_machine.travel(moment, tick=False):
            for user in users:
                policy.forget(user)
                kept = duties.duties_for(user, moment)
                with mock.patch.object(sqlcache, "rows", plain):
                    fresh = duties.duties_for(user, moment)
                assert kept == fresh, user.username
                compared += len(kept)
    assert compared > 20  # the comparison saw duties, not only empty lists


def test_a_record_id_as_the_value(new_case, django_assert_num_queries):
    first, second = new_case(), new_case()

    def build(case_id):
        return BullyingCase.objects.filter(pk=case_id).values_list("number", flat=True)

    assert sqlcache.rows(("id",), build, first.pk) == [first.number]
    with django_assert_num_queries(1):
        assert sqlcache.rows(("id",), build, second.pk) == [second.number]
    with pytest.raises(ValueError, match="worked out"):
        sqlcache.rows(
            ("id+1",), lambda case_id: BullyingCase.objects.filter(pk__in=[case_id, case_id + 1]), first.pk
        )


def test_a_reader_never_gets_another_reader_s_kept_statement(new_case, cw, as_user):
    """The case page's read, rights and lists are kept per reader: after the safety leader (in
    scope) has opened a case, another county's safety leader and class teacher still
    get 404, and the leader still gets the page."""
    from django.urls import reverse

    case = new_case(victim=cw.student_other_class, bully=cw.student_other_class)
    url = reverse("cases:case_detail", args=[case.pk])
    assert as_user(cw.user["safety_leader"]).get(url).status_code == 200
    assert as_user(cw.user_b["safety_leader"]).get(url).status_code == 404
    assert as_user(cw.user_b["class_teacher"]).get(url).status_code == 404
    assert as_user(cw.user["safety_leader"]).get(url).status_code == 200
