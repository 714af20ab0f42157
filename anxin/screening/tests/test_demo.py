"""The demo data loads on any county and leaves every page something to show."""

import random

from anxin.screening.demo import load_screening
from anxin.screening.models import (
    CountyRound,
    DutyLog,
    HazardPoint,
    Rectification,
    RiskState,
    ScreeningRecord,
    TendencyEntry,
)
from anxin.screening.tests.helpers import fill_class


def test_load_screening_fills_rounds_registers_hazards_and_risk(world, as_user):
    fill_class(world.class_a1_1, 20)
    world.student_own.__class__.objects.filter(pk=world.student_own.pk).update(left_behind="2")
    counts = load_screening(world.county_a, random.Random(3))
    assert CountyRound.objects.filter(county=world.county_a).count() == 1
    assert ScreeningRecord.objects.filter(county=world.county_a).exists()
    assert TendencyEntry.objects.filter(school=world.school_a1).exists()
    assert HazardPoint.objects.filter(school=world.school_a1).exists()
    assert DutyLog.objects.filter(school=world.school_a1, is_sign=True).exists()
    assert Rectification.objects.filter(school=world.school_a2).count() == 2
    assert counts["risk_students"] == RiskState.objects.filter(county=world.county_a).count() == 23
    assert not RiskState.objects.filter(county=world.county_b).exists()
    c = as_user(world.user["safety_leader"])
    for url in (
        "/screening/",
        "/screening/risk/",
        "/screening/hazards/",
        "/screening/surveys/",
        "/screening/hazards/overview/",
        "/screening/hazards/coverage/",
    ):
        assert c.get(url).status_code == 200, url
