"""The case timeline cannot be rewritten (R-CASE-10; LAW 8): hash-chained per case, verified
by ``manage.py verify_audit``; on PostgreSQL a trigger refuses UPDATE and DELETE."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from anxin.cases import services, timeline
from anxin.cases.models import CaseEvent, CaseState
from anxin.cases.verify import verify_cases
from anxin.core import clock


def _raw(sql, params):
    """Tamper as a DBA would: straight SQL, with the PostgreSQL guard switched off."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # flush deferred FK checks before ALTER
            cur.execute("ALTER TABLE cases_caseevent DISABLE TRIGGER cases_caseevent_append_only")
        cur.execute(sql, params)
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE cases_caseevent ENABLE TRIGGER cases_caseevent_append_only")
            cur.execute("SET CONSTRAINTS ALL DEFERRED")


def _problems():
    return [p for _s, p in verify_cases() if p is not None]


@pytest.fixture
def case(new_case, drive):
    c = new_case()
    drive(c, CaseState.INVESTIGATING)
    return c


def test_every_action_appends_a_chained_event_and_verify_passes(case):
    events = list(case.events.order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    assert events[0].prev_hash == "0" * 64 and case.timeline_hash == events[-1].hash
    assert _problems() == []
    out = __import__("io").StringIO()
    call_command("verify_audit", stdout=out)
    assert "intact" in out.getvalue()


def test_verify_detects_an_edited_event(case):
    ev = case.events.order_by("seq")[2]
    _raw("UPDATE cases_caseevent SET summary = %s WHERE id = %s", ["（已篡改）", ev.pk])
    problems = _problems()
    assert problems and problems[0].seq == 3 and "改写" in problems[0].what
    with pytest.raises(CommandError, match=f"case:{case.pk} #3"):
        call_command("verify_audit")


def test_verify_detects_a_deleted_event(case):
    ev = case.events.order_by("seq")[1]
    _raw("DELETE FROM cases_caseevent WHERE id = %s", [ev.pk])
    problems = _problems()
    assert problems and problems[0].seq == 2 and "缺失" in problems[0].what


def test_verify_detects_a_truncated_timeline(case):
    last = case.events.order_by("-seq").first()
    _raw("DELETE FROM cases_caseevent WHERE id = %s", [last.pk])
    problems = _problems()
    assert problems and "截断" in problems[0].what


def test_verify_detects_a_forged_head(case):
    _raw("UPDATE cases_bullyingcase SET timeline_hash = %s WHERE id = %s", ["f" * 64, case.pk])
    problems = _problems()
    assert problems and "伪造" in problems[0].what


def test_verify_detects_reordered_events(case):
    a, b = case.events.order_by("seq")[1:3]
    _raw("UPDATE cases_caseevent SET seq = %s WHERE id = %s", [999, a.pk])
    _raw("UPDATE cases_caseevent SET seq = %s WHERE id = %s", [a.seq, b.pk])
    _raw("UPDATE cases_caseevent SET seq = %s WHERE id = %s", [b.seq, a.pk])
    assert _problems()


def test_verify_audit_can_check_one_case_stream(case, new_case):
    other = new_case()
    _raw("UPDATE cases_caseevent SET kind = %s WHERE case_id = %s AND seq = 1", ["x", other.pk])
    call_command("verify_audit", stream=[f"case:{case.pk}"])  # the tampered case is not checked
    with pytest.raises(CommandError):
        call_command("verify_audit", stream=[f"case:{other.pk}"])


def test_an_event_is_stored_whole_or_refused(case, mm, monkeypatch):
    before = (case.events.count(), case.statements.count(), case.version)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(timeline, "compute_hash", broken)
    with pytest.raises(RuntimeError):
        services.record_statement(case, by=mm, speaker_kind="witness", content="看到了", taken_at=clock.now())
    case.refresh_from_db()
    assert (case.events.count(), case.statements.count(), case.version) == before
    assert _problems() == []


@pytest.mark.postgres
def test_postgres_refuses_update_and_delete_of_case_events(case):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    ev = case.events.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseEvent.objects.filter(pk=ev.pk).update(summary="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseEvent.objects.filter(pk=ev.pk).delete()
