"""Reminders and escalation (LAW 6, 7; R-CASE-9): owner, then safety leader, then bureau;
idempotent — a second sweep sends nothing."""

from __future__ import annotations

import datetime as dt

import time_machine

from anxin.cases import tasks
from anxin.cases.models import CaseState, FollowUp
from anxin.core import clock
from anxin.core.models import Notification

S = CaseState


def _kinds(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_follow_up_due_soon_tells_the_owner_once(new_case, drive, mm, cw):
    case = new_case()
    drive(case, S.FOLLOW_UP, result="minor")
    first = FollowUp.objects.filter(case=case).order_by("due_on").first()
    Notification.objects.all().delete()
    with time_machine.travel(
        dt.datetime.combine(first.due_on, dt.time(9), tzinfo=clock.SHANGHAI), tick=False
    ):
        sent = tasks.sweep()
        assert sent >= 1
        assert Notification.objects.filter(
            recipient=mm, kind="duty_due", title__contains="第1周回访"
        ).exists()
        assert not Notification.objects.filter(recipient=cw.user["safety_leader"]).exists()
        assert tasks.sweep() == 0


def test_overdue_duty_goes_to_leader_then_bureau(new_case, drive, mm, cw):
    case = new_case()
    drive(case, S.FOLLOW_UP, result="minor")
    first = FollowUp.objects.filter(case=case).order_by("due_on").first()
    Notification.objects.all().delete()
    leader, bureau = cw.user["safety_leader"], cw.user["bureau_safety"]
    with time_machine.travel(
        dt.datetime.combine(first.due_on + dt.timedelta(days=1), dt.time(9), tzinfo=clock.SHANGHAI),
        tick=False,
    ):
        tasks.sweep()
        assert "duty_overdue" in _kinds(mm) and "duty_overdue" in _kinds(leader)
        assert "duty_escalated" not in _kinds(bureau)
        assert tasks.sweep() == 0
    with time_machine.travel(
        dt.datetime.combine(first.due_on + dt.timedelta(days=3), dt.time(9), tzinfo=clock.SHANGHAI),
        tick=False,
    ):
        assert tasks.sweep() > 0
        assert "duty_escalated" in _kinds(bureau)
        assert tasks.sweep() == 0


def test_missing_required_report_reaches_the_bureau_as_soon_as_it_is_late(new_case, cw):
    case = new_case(source="public_opinion")
    Notification.objects.all().delete()
    with time_machine.travel(case.report_due_at + dt.timedelta(minutes=5), tick=False):
        tasks.sweep()
        titles = list(
            Notification.objects.filter(recipient=cw.user["bureau_safety"]).values_list("title", flat=True)
        )
        assert any("向县教体局首报" in t and case.number in t for t in titles)
        assert all("张小明" not in t for t in titles)  # notices name the case, never a student
        assert tasks.sweep() == 0


def test_the_periodic_task_runs_the_sweep(new_case, cw):
    case = new_case(source="public_opinion")
    with time_machine.travel(case.report_due_at + dt.timedelta(minutes=5), tick=False):
        tasks.sweep_case_duties()  # enqueued; the queue runs it at once in tests
        assert Notification.objects.filter(recipient=cw.user["bureau_safety"], kind="duty_escalated").exists()
        assert tasks.sweep_case_duties.call_local() == 0


def test_nightly_timeline_verification_records_a_broken_chain(new_case):
    from django.db import connection

    from anxin.core.models import AuditEvent

    case = new_case()
    assert tasks.nightly_verify_case_timelines.call_local() == 0
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # flush deferred FK checks before ALTER
            cur.execute("ALTER TABLE cases_caseevent DISABLE TRIGGER cases_caseevent_append_only")
        cur.execute("UPDATE cases_caseevent SET summary = 'x' WHERE case_id = %s", [case.pk])
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE cases_caseevent ENABLE TRIGGER cases_caseevent_append_only")
            cur.execute("SET CONSTRAINTS ALL DEFERRED")
    assert tasks.nightly_verify_case_timelines.call_local() == 1
    assert AuditEvent.objects.filter(action="audit.verify", result="failed").exists()
