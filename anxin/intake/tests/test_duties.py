"""Intake duties on 工作台: a report waiting to be taken on (受理) and an unanswered emergency
call appear for the school's triage staff — new since they last looked — and go when taken on."""

from __future__ import annotations

import datetime as dt

from anxin.core import clock, duties
from anxin.core.roles import Role
from anxin.intake import services
from anxin.intake.tests.conftest import FORM


def _duties(user, kind, now=None):
    return {d.ref: d for d in duties.duties_for(user, now or clock.now(), kinds=[kind])}


def test_a_new_report_is_the_triage_staffs_until_taken_on(world):
    leader = world.user[Role.SAFETY_LEADER]
    report = services.submit_report(school=world.school_a1, data=dict(FORM)).report
    ref = f"intake.report:{report.pk}"
    d = _duties(leader, "intake.triage")[ref]
    assert d.new and d.url == f"/intake/reports/{report.pk}/"
    assert d.due_at() == report.created_at + dt.timedelta(hours=24)
    for role in (Role.CLASS_TEACHER, Role.BUREAU_SAFETY, Role.COUNSELLOR):
        assert ref not in _duties(world.user[role], "intake.triage")
    assert ref not in _duties(world.user_b[Role.SAFETY_LEADER], "intake.triage")
    # a day later it is overdue
    later = report.created_at + dt.timedelta(hours=25)
    assert _duties(leader, "intake.triage", later)[ref].state(later) == duties.State.OVERDUE
    services.acknowledge(report, by=leader)
    assert ref not in _duties(leader, "intake.triage")


def test_an_emergency_is_due_at_once_until_answered(world):
    leader = world.user[Role.SAFETY_LEADER]
    em, _token = services.raise_emergency(school=world.school_a1, place="操场")
    ref = f"intake.emergencyrequest:{em.pk}"
    now = clock.now()
    d = _duties(leader, "intake.emergency", now)[ref]
    assert d.state(now) == duties.State.OVERDUE and "操场" in d.title
    assert ref not in _duties(world.user[Role.CLASS_TEACHER], "intake.emergency")
    services.acknowledge_emergency(em, by=leader, note="已到场处置")
    assert ref not in _duties(leader, "intake.emergency")


def test_the_bureau_counts_untriaged_reports_by_age_without_contents(world):
    bureau = world.user[Role.BUREAU_SAFETY]
    services.submit_report(school=world.school_a1, data=dict(FORM))
    services.submit_report(school=world.school_b1, data=dict(FORM))  # another county
    later = clock.now() + dt.timedelta(days=2)
    [f] = [f for f in duties.figures_for(bureau, later) if f.key == "intake.untriaged"]
    assert f.value == 1 and f.alert and "超过1天 1" in f.note and "超过3天 0" in f.note
