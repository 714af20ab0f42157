import datetime as dt

import pytest

from anxin.core import audit, clock
from anxin.core.roles import Role


@pytest.fixture(autouse=True)
def _no_leaked_audit_context():
    yield
    audit.set_context(None)


@pytest.fixture
def mm(world):
    """The 德育/政教主任 of A1: records activities."""
    return world.user[Role.MIDDLE_MANAGER]


@pytest.fixture
def principal(world):
    return world.user[Role.PRINCIPAL]


@pytest.fixture
def teacher(world):
    return world.user[Role.CLASS_TEACHER]


def activity(world, by, kind="staff_training", held_on=None, **kw):
    from anxin.education import services

    data = {"kind": kind, "title": kw.pop("title", "防欺凌专题培训"), "held_on": held_on or clock.today()}
    if kind == "staff_training":
        data["staff_level"] = kw.pop("staff_level", "all")
    if kind == "law":
        data["laws"] = kw.pop("laws", ["minors"])
    data.update(kw)
    return services.create_activity(by, kw.pop("school", world.school_a1), data)


def days_ago(n):
    return clock.today() - dt.timedelta(days=n)
