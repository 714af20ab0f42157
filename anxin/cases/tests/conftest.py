"""Fixtures for the cases tests: the shared two-county world, a constituted committee at A1,
and a helper opening a case there (victim: the class teacher's own student)."""

from __future__ import annotations

import pytest

from anxin.cases import scenarios
from anxin.core import audit


@pytest.fixture(autouse=True)
def _no_leaked_audit_context():
    """``client.force_login`` fires core's login receiver, which sets the audit context outside
    any request and never resets it; clear it after each test so no school id leaks into the
    next test's audit streams."""
    yield
    audit.set_context(None)


@pytest.fixture
def cw(world):
    """The world with A1's 学生欺凌治理委员会 constituted (LAW 4)."""
    scenarios.constitute(world.school_a1, world.user["principal"])
    return world


@pytest.fixture
def mm(cw):
    return cw.user["middle_manager"]


@pytest.fixture
def leader(cw):
    return cw.user["safety_leader"]


@pytest.fixture
def new_case(cw, mm):
    """``new_case(**kw)`` opens a case at A1: victim student_own (初一1班), alleged bully
    student_other_class (初一2班)."""

    def _new(**kw):
        kw.setdefault("victim", cw.student_own)
        kw.setdefault("bully", cw.student_other_class)
        return scenarios.open_simple(cw.school_a1, kw.pop("by", mm), **kw)

    return _new


@pytest.fixture
def drive(mm, leader):
    def _drive(case, target, **kw):
        kw.setdefault("leader", leader)
        return scenarios.drive(case, kw.pop("by", mm), target, **kw)

    return _drive
