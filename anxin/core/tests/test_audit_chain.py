"""The audit trail is append-only and tamper-evident (LAW 22; GUIDE principle 3)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from anxin.core import audit
from anxin.core.models import AuditEvent, AuditStreamHead
from anxin.core.verify import verify_all


def _events(n=4, school_id=7, county_id=1):
    return [
        audit.append(
            "read",
            object_type="roster.student",
            object_id=i,
            county_id=county_id,
            school_id=school_id,
            data={"i": i},
        )
        for i in range(n)
    ]


GUARDS = (
    ("core_auditevent", "core_auditevent_append_only"),
    ("core_auditstreamhead", "core_auditstreamhead_forward_only"),
)


def _raw_update(sql, params):
    """Tamper as a DBA would: straight SQL, with the PostgreSQL guards switched off."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            for table, trigger in GUARDS:
                cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        cur.execute(sql, params)
        if connection.vendor == "postgresql":
            for table, trigger in GUARDS:
                cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")


def _first_problem():
    return next((p for _s, p in verify_all() if p is not None), None)


@pytest.mark.django_db
def test_events_chain_per_school_per_day_and_verify_passes():
    evs = _events(3)
    assert [e.seq for e in evs] == [1, 2, 3]
    assert evs[1].prev_hash == evs[0].hash and evs[2].prev_hash == evs[1].hash
    assert evs[0].stream.startswith("school:7:")
    other = audit.append("read", county_id=1, school_id=8)
    assert other.stream.startswith("school:8:") and other.seq == 1  # its own stream, no global lock
    county = audit.append("login", county_id=1)
    assert county.stream.startswith("county:1:")
    assert _first_problem() is None
    call_command("verify_audit")


@pytest.mark.django_db
def test_a_batch_appends_the_same_chain_as_one_event_at_a_time(django_assert_max_num_queries):
    _events(2)  # the school's stream exists
    entries = [
        audit.Entry(
            "create", object_type="intake.report", object_id=i, county_id=1, school_id=sid, data={"i": i}
        )
        for i, sid in enumerate([7, 7, 9, 7, 9])
    ]
    evs = audit.append_many(entries)
    # returned in the order given; each stream keeps its entries' order
    assert [(e.stream.split(":")[1], e.seq) for e in evs] == [
        ("7", 3),
        ("7", 4),
        ("9", 1),
        ("7", 5),
        ("9", 2),
    ]
    assert evs[0].prev_hash == AuditEvent.objects.get(stream=evs[0].stream, seq=2).hash
    assert evs[1].prev_hash == evs[0].hash and evs[3].prev_hash == evs[1].hash
    assert evs[4].prev_hash == evs[2].hash
    head = AuditStreamHead.objects.get(stream=evs[0].stream)
    assert (head.seq, head.hash) == (5, evs[3].hash)
    assert _first_problem() is None  # verify recomputes every hash: the batch chains correctly
    # one head lock, one insert and one head update per stream, however long the batch
    more = [audit.Entry("read", county_id=1, school_id=7, data={"n": n}) for n in range(50)]
    with django_assert_max_num_queries(4):
        audit.append_many(more)
    assert _first_problem() is None


@pytest.mark.django_db
def test_verify_audit_detects_an_edited_row():
    evs = _events(4)
    _raw_update("UPDATE core_auditevent SET action = %s WHERE id = %s", ["delete", evs[2].id])
    problem = _first_problem()
    assert problem is not None and problem.seq == 3 and "改写" in problem.what
    with pytest.raises(CommandError, match="#3"):
        call_command("verify_audit")


@pytest.mark.django_db
def test_verify_audit_detects_a_deleted_row():
    evs = _events(4)
    _raw_update("DELETE FROM core_auditevent WHERE id = %s", [evs[1].id])
    problem = _first_problem()
    assert problem is not None and problem.seq == 2 and "缺失" in problem.what


@pytest.mark.django_db
def test_verify_audit_detects_reordered_rows():
    evs = _events(4)
    # swap the positions of rows 2 and 3
    _raw_update("UPDATE core_auditevent SET seq = %s WHERE id = %s", [99, evs[1].id])
    _raw_update("UPDATE core_auditevent SET seq = %s WHERE id = %s", [2, evs[2].id])
    _raw_update("UPDATE core_auditevent SET seq = %s WHERE id = %s", [3, evs[1].id])
    problem = _first_problem()
    assert problem is not None and problem.seq == 2


@pytest.mark.django_db
def test_verify_audit_detects_truncation():
    evs = _events(4)
    _raw_update("DELETE FROM core_auditevent WHERE id = %s", [evs[3].id])
    problem = _first_problem()
    assert problem is not None and "截断" in problem.what


@pytest.mark.django_db
def test_verify_audit_detects_a_forged_head():
    evs = _events(3)
    _raw_update("UPDATE core_auditstreamhead SET hash = %s WHERE stream = %s", ["f" * 64, evs[0].stream])
    problem = _first_problem()
    assert problem is not None and "伪造" in problem.what


@pytest.mark.django_db
def test_verify_audit_detects_a_rewritten_last_row_with_recomputed_hash():
    """Rewriting the last row and its own hash still breaks the link to the head."""
    evs = _events(3)
    last = evs[-1]
    row = audit.row_for_hash(last)
    row["action"] = "export"
    new_hash = audit.compute_hash(last.prev_hash, row)
    _raw_update(
        "UPDATE core_auditevent SET action = %s, hash = %s WHERE id = %s", ["export", new_hash, last.id]
    )
    problem = _first_problem()
    assert problem is not None and "伪造" in problem.what


@pytest.mark.django_db
def test_postgresql_refuses_update_and_delete_of_audit_rows():
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only; verify_audit covers SQLite")
    ev = _events(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=ev.pk).update(action="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=ev.pk).delete()
    assert AuditEvent.objects.get(pk=ev.pk).action == "read"


@pytest.mark.django_db
def test_audited_model_write_records_before_and_after(world):
    school = world.school_a1
    school.antibullying_phone = "0951-8099999"
    school.save()
    ev = AuditEvent.objects.filter(action="update", object_type="org.school", object_id=str(school.pk)).last()
    assert ev is not None
    assert ev.data["before"]["antibullying_phone"] == "0951-8012345"
    assert ev.data["after"]["antibullying_phone"] == "0951-8099999"
    assert ev.school_id == school.pk


@pytest.mark.django_db
def test_sensitive_fields_are_masked_in_history(world):
    st = world.student_own
    st.id_number = "11010519491231002X"
    st.save()
    ev = AuditEvent.objects.filter(action="update", object_type="roster.student", object_id=str(st.pk)).last()
    assert ev.data["after"]["id_number"].startswith("hmac:")
    assert "11010519491231002X" not in str(AuditEvent.objects.values_list("data", flat=True))


@pytest.mark.django_db
def test_saving_an_unchanged_record_writes_no_history(world):
    before = AuditEvent.objects.count()
    world.school_a1.save()
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_verify_audit_detects_a_whole_stream_deleted():
    """A school-day's events and head gone: its announcement in the county stream remains."""
    evs = _events(3)
    _raw_update("DELETE FROM core_auditevent WHERE stream = %s", [evs[0].stream])
    _raw_update("DELETE FROM core_auditstreamhead WHERE stream = %s", [evs[0].stream])
    problem = _first_problem()
    assert problem is not None and "缺失" in problem.what


@pytest.mark.django_db
def test_verify_audit_detects_a_truncated_tail_with_a_rewound_head_once_sealed():
    from anxin.core import clock
    from anxin.core.tasks import nightly_seal_audit

    evs = _events(3)
    assert nightly_seal_audit.call_local(day=clock.today()) == 1
    assert nightly_seal_audit.call_local(day=clock.today()) == 0  # idempotent
    _raw_update("DELETE FROM core_auditevent WHERE id = %s", [evs[-1].id])
    _raw_update(
        "UPDATE core_auditstreamhead SET seq = %s, hash = %s WHERE stream = %s",
        [evs[-2].seq, evs[-2].hash, evs[-1].stream],
    )
    # the seal catches it (so do the nightly checkpoint and the head's signature)
    problems = [p.what for _s, p in verify_all() if p is not None]
    assert any("封存" in what for what in problems)


@pytest.mark.django_db
def test_county_streams_chain_across_days():
    import time_machine

    first = audit.append("login", county_id=1)
    with time_machine.travel(first.at + dt.timedelta(days=1)):
        second = audit.append("login", county_id=1)
    assert second.stream != first.stream and second.prev_hash == first.hash
    assert _first_problem() is None
    _raw_update("DELETE FROM core_auditevent WHERE stream = %s", [first.stream])
    _raw_update("DELETE FROM core_auditstreamhead WHERE stream = %s", [first.stream])
    assert _first_problem() is not None


@pytest.mark.django_db
def test_postgresql_refuses_rewinding_or_deleting_a_stream_head():
    if connection.vendor != "postgresql":
        pytest.skip("the head trigger exists on PostgreSQL only; seals cover SQLite")
    ev = _events(2)[-1]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditStreamHead.objects.filter(stream=ev.stream).update(seq=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditStreamHead.objects.filter(stream=ev.stream).delete()
