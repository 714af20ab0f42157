"""Every campaign evaluator answers true and false, for many schools in a fixed number of
queries (core.evaluators: "a fixed number of queries for all schools")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anxin.campaigns.tests.helpers import more_schools, window
from anxin.core import clock, evaluators
from anxin.core.roles import Role

pytestmark = pytest.mark.django_db

KEYS = [
    "screening.round_complete",
    "screening.vulnerable_reviewed",
    "screening.tendency_reviewed",
    "screening.hazards_covered",
    "care.vulnerable_contacted",
    "campaigns.articles_submitted",
]


def _eval(key, schools, w=None, params=None):
    return evaluators.get(key).evaluate(schools, w or window(), params)


def test_all_keys_registered():
    for key in KEYS:
        assert evaluators.get(key) is not None, key


def _round(world, school, opened_on=None):
    from anxin.screening.models import ScreeningRound

    return ScreeningRound.objects.create(
        county=school.county,
        school=school,
        title="春季排查",
        opened_on=opened_on or clock.today() - dt.timedelta(days=3),
        deadline=clock.today() + dt.timedelta(days=5),
        opened_by=world.user[Role.SAFETY_LEADER],
    )


def _record(world, rnd, student, **kw):
    from anxin.screening.models import ScreeningRecord

    return ScreeningRecord.objects.create(
        county_id=student.county_id,
        school_id=student.school_id,
        round=rnd,
        student=student,
        klass_id=student.klass_id,
        recorded_by=world.user[Role.CLASS_TEACHER],
        **kw,
    )


def test_round_complete_true_only_when_the_phase_round_is_completed(world):
    from anxin.screening import services

    a1, a2 = world.school_a1, world.school_a2
    got = _eval("screening.round_complete", [a1, a2])
    assert not got[a1.pk].done and got[a1.pk].detail == "本阶段尚未开展排查"
    rnd = _round(world, a1)
    _record(world, rnd, world.student_own)
    got = _eval("screening.round_complete", [a1])
    assert not got[a1.pk].done and got[a1.pk].detail == "1/2 个班已排查完" and got[a1.pk].progress == 0.5
    _record(world, rnd, world.student_other_class, missing_reason="病假")
    services.complete_round(by=world.user[Role.SAFETY_LEADER], round=rnd)
    got = _eval("screening.round_complete", [a1, a2])
    assert got[a1.pk].done and not got[a2.pk].done
    # a round of an earlier phase does not count for this one
    later = evaluators.Window(clock.today() + dt.timedelta(days=30), clock.today() + dt.timedelta(days=60))
    assert not _eval("screening.round_complete", [a1], later)[a1.pk].done


def _vuln(world, student):
    from anxin.screening.models import VulnerabilityCategory, VulnerabilityEntry

    cat, _ = VulnerabilityCategory.objects.get_or_create(
        county_id=student.county_id, code="left_behind", defaults={"name": "留守儿童"}
    )
    return VulnerabilityEntry.objects.create(
        county_id=student.county_id, school_id=student.school_id, student=student, category=cat
    )


def test_vulnerable_reviewed_true_and_false(world):
    a1 = world.school_a1
    assert _eval("screening.vulnerable_reviewed", [a1])[a1.pk].done  # empty register: nothing to do
    _vuln(world, world.student_own)
    got = _eval("screening.vulnerable_reviewed", [a1])[a1.pk]
    assert not got.done and got.detail.startswith("0/1")
    rnd = _round(world, a1)
    _record(world, rnd, world.student_own, missing_reason="请假")  # not screened: does not count
    assert not _eval("screening.vulnerable_reviewed", [a1])[a1.pk].done
    from anxin.screening.models import ScreeningRecord

    ScreeningRecord.objects.filter(round=rnd).update(missing_reason="")
    assert _eval("screening.vulnerable_reviewed", [a1])[a1.pk].done


def test_tendency_reviewed_true_and_false(world):
    from anxin.screening.models import TendencyEntry

    a1 = world.school_a1
    old = clock.today() - dt.timedelta(days=60)
    entry = TendencyEntry.objects.create(
        county_id=a1.county_id,
        school=a1,
        student=world.student_own,
        grounds="多次推搡同学",
        added_on=old,
        review_due=old + dt.timedelta(days=30),
    )
    got = _eval("screening.tendency_reviewed", [a1])[a1.pk]
    assert not got.done and got.detail.startswith("0/1")
    entry.last_reviewed_on = clock.today()
    entry.save()
    assert _eval("screening.tendency_reviewed", [a1])[a1.pk].done


def test_hazards_covered_true_and_false(world):
    from anxin.screening.models import HazardMeasure, HazardPoint

    a1 = world.school_a1
    got = _eval("screening.hazards_covered", [a1])[a1.pk]
    assert not got.done  # nothing surveyed
    point = HazardPoint.objects.create(
        county_id=a1.county_id, school=a1, name="教学楼西侧楼梯", kind="stairs"
    )
    assert not _eval("screening.hazards_covered", [a1])[a1.pk].done  # surveyed, no cover
    HazardMeasure.objects.create(
        county_id=a1.county_id, school=a1, hazard=point, type="people", description="课间专人值守"
    )
    assert _eval("screening.hazards_covered", [a1])[a1.pk].done
    assert not _eval("screening.hazards_covered", [a1], params={"min_points": 2})[a1.pk].done


def test_vulnerable_contacted_true_and_false(world):
    from anxin.care.models import ContactLog

    a1 = world.school_a1
    _vuln(world, world.student_own)
    assert not _eval("care.vulnerable_contacted", [a1])[a1.pk].done
    ContactLog.objects.create(
        county_id=a1.county_id,
        school=a1,
        student=world.student_own,
        staff=world.user[Role.CLASS_TEACHER],
        occurred_at=clock.now(),
        summary="家访",
        kind="home_visit",
    )
    assert _eval("care.vulnerable_contacted", [a1])[a1.pk].done
    # a contact before the phase began does not count
    assert not _eval("care.vulnerable_contacted", [a1], window(-1, 30))[a1.pk].done


def test_articles_submitted_true_and_false(world):
    from anxin.campaigns import services
    from anxin.campaigns.tests.helpers import campaign

    a1 = world.school_a1
    c = campaign(world)
    art = services.save_article(
        by=world.user[Role.PRINCIPAL], campaign=c, school=a1, title="经验", body="<p>做法</p>"
    )
    assert not _eval("campaigns.articles_submitted", [a1])[a1.pk].done  # a draft does not count
    services.submit_article(by=world.user[Role.PRINCIPAL], article=art)
    assert _eval("campaigns.articles_submitted", [a1])[a1.pk].done
    assert not _eval("campaigns.articles_submitted", [a1], params={"min_count": 2})[a1.pk].done
    services.return_article(by=world.user[Role.BUREAU_SAFETY], article=art, comment="请补充数据")
    assert not _eval("campaigns.articles_submitted", [a1])[a1.pk].done  # returned: not counted


@pytest.mark.parametrize("key", KEYS)
def test_fixed_number_of_queries_for_many_schools(world, key):
    few = [world.school_a1]
    many = [world.school_a1, world.school_a2, *more_schools(world, 6)]
    for s in many:
        _round(world, s)
    with CaptureQueriesContext(connection) as one:
        _eval(key, few)
    with CaptureQueriesContext(connection) as lots:
        got = _eval(key, many)
    assert len(got) == len(many)
    assert len(lots) == len(one), (key, len(one), len(lots))
