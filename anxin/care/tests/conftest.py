import datetime as dt
import sys
import types

import pytest

from anxin.care import services
from anxin.core import clock
from anxin.core.roles import Role


@pytest.fixture
def leader(world):
    return world.user[Role.SAFETY_LEADER]


@pytest.fixture
def teacher(world):
    return world.user[Role.CLASS_TEACHER]


@pytest.fixture
def counsellor(world):
    return world.user[Role.COUNSELLOR]


@pytest.fixture
def plan(world, leader):
    """A red care plan for the class teacher's own student."""
    return services.create_plan(leader, world.student_own, level="red", reason="留守儿童，近期情绪低落")


@pytest.fixture
def other_plan(world, leader):
    """A plan in the other class of the same school."""
    return services.create_plan(leader, world.student_other_class, level="orange")


@pytest.fixture
def session(world, counsellor, plan):
    return services.record_counselling(
        counsellor, student=world.student_own, notes="学生谈到被同学孤立，有失眠情况。", duration_minutes=40
    )


@pytest.fixture
def fake_screening(monkeypatch):
    """Stand-in for screening's risk engine (being built in parallel): a dict of levels."""
    levels: dict[int, str] = {}
    mod = types.ModuleType("anxin.screening.services")
    mod.risk_level = lambda student: levels.get(student.pk)
    mod.risk_levels = lambda ids: {i: levels[i] for i in ids if i in levels}
    monkeypatch.setitem(sys.modules, "anxin.screening.services", mod)
    return levels


def days_ago(n: int) -> dt.datetime:
    return clock.now() - dt.timedelta(days=n)
