"""R-CARE-1: contacts are due by a cadence that depends on the risk level (data table)."""

import datetime as dt

import pytest
import time_machine
from django.test import override_settings

from anxin.care import cadence, services
from anxin.care.cadence import CADENCE_TABLE, Level
from anxin.care.models import CarePlan
from anxin.core.models import Notification

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday in the spring term


def _plan_contacted_then_moved(world, leader, *, level, kind="care", days_later, hour_offset=0):
    with time_machine.travel(START, tick=False):
        plan = services.create_plan(leader, world.student_own, level=level, kind=kind)
        services.log_contact(leader, plan=plan, summary="谈心谈话，情绪稳定")
    with time_machine.travel(START + dt.timedelta(days=days_later, hours=hour_offset), tick=False):
        plan = CarePlan.objects.get(pk=plan.pk)
        return plan, plan.is_overdue, services.flag_overdue()


# Every row of the cadence table, either side of its limit (due on the day itself is not late).
@pytest.mark.parametrize(
    "level,kind,days_later,overdue",
    [
        ("red", "care", 6, False),
        ("red", "care", 7, False),
        ("red", "care", 8, True),
        ("orange", "care", 14, False),
        ("orange", "care", 15, True),
        ("yellow", "care", 30, False),
        ("yellow", "care", 31, True),
        ("green", "care", 365, False),
        # 重点盯防: at least weekly, whatever the level's own cadence
        ("yellow", "watch", 7, False),
        ("yellow", "watch", 8, True),
        ("green", "watch", 8, True),
    ],
)
@pytest.mark.django_db
def test_contact_is_overdue_after_the_cadence_of_its_level(world, leader, level, kind, days_later, overdue):
    plan, is_overdue, sent = _plan_contacted_then_moved(
        world, leader, level=level, kind=kind, days_later=days_later
    )
    assert is_overdue is overdue
    assert (sent > 0) is overdue


@pytest.mark.django_db
def test_red_plan_last_contacted_8_days_ago_is_overdue_6_days_not(world, leader):
    plan, overdue, _ = _plan_contacted_then_moved(world, leader, level="red", days_later=8)
    assert overdue
    assert plan.overdue_days(dt.date(2026, 3, 10)) == 1
    with time_machine.travel(START + dt.timedelta(days=6), tick=False):
        assert not plan.is_overdue


def test_cadence_table_has_a_row_for_every_level_and_watch():
    keys = {r.key for r in CADENCE_TABLE}
    assert set(Level.values) | {"watch"} == keys
    assert [cadence.days_for(k) for k in ("red", "orange", "yellow", "green")] == [7, 14, 30, None]


@override_settings(ANXIN_CARE_CADENCE_DAYS={"red": 3})
@pytest.mark.django_db
def test_cadence_is_configurable_in_settings(world, leader):
    plan, overdue, _ = _plan_contacted_then_moved(world, leader, level="red", days_later=4)
    assert overdue
    assert plan.cadence == 3


@pytest.mark.django_db
def test_plan_own_cadence_overrides_the_level(world, leader):
    with time_machine.travel(START, tick=False):
        plan = services.create_plan(leader, world.student_own, level="yellow", cadence_days=5)
    assert plan.next_due_on == dt.date(2026, 3, 7)


@pytest.mark.django_db
def test_plan_never_contacted_is_due_from_its_start(world, leader):
    with time_machine.travel(START, tick=False):
        plan = services.create_plan(leader, world.student_own, level="orange")
    assert plan.last_contact_at is None
    assert plan.next_due_on == dt.date(2026, 3, 16)


@pytest.mark.django_db
def test_contact_entered_after_the_fact_does_not_move_due_date_back(world, leader):
    with time_machine.travel(START, tick=False):
        plan = services.create_plan(leader, world.student_own, level="red")
        services.log_contact(leader, plan=plan, summary="今天谈话")
        services.log_contact(
            leader,
            plan=plan,
            summary="补记上周家访",
            kind="home_visit",
            occurred_at=START - dt.timedelta(days=5),
        )
    plan.refresh_from_db()
    assert plan.next_due_on == dt.date(2026, 3, 9)


@pytest.mark.django_db
def test_plan_level_defaults_to_the_risk_engine(world, leader, fake_screening):
    fake_screening[world.student_own.pk] = "red"
    plan = services.create_plan(leader, world.student_own)
    assert plan.level == "red"


@pytest.mark.django_db
def test_plan_level_without_screening_defaults_to_yellow(world, leader):
    assert services.create_plan(leader, world.student_own).level == "yellow"


@pytest.mark.django_db
def test_sweep_follows_a_level_change_in_the_risk_engine(world, leader, fake_screening):
    with time_machine.travel(START, tick=False):
        plan = services.create_plan(leader, world.student_own, level="yellow")
        services.log_contact(leader, plan=plan, summary="谈话")
    fake_screening[world.student_own.pk] = "red"
    with time_machine.travel(START + dt.timedelta(days=9), tick=False):
        sent = services.sweep()
    plan.refresh_from_db()
    assert plan.level == "red" and plan.next_due_on == dt.date(2026, 3, 9)
    assert sent >= 2 and Notification.objects.filter(kind="care_overdue").exists()
