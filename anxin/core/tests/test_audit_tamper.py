"""Seventeen ways a database owner (or the runtime role) rewrites the audit trail on PostgreSQL;
``verify_audit`` detects every one (LAW 22). The tamperer knows the schema and the hash
function, and may hold every database right; it does not hold ANXIN_AUDIT_KEY, and it cannot
rewrite the checkpoint files undetected."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from anxin.core import audit, checkpoint, clock
from anxin.core.management.commands.audit_roles import role_sql
from anxin.core.models import AuditCheckpoint, AuditEvent, AuditStreamHead
from anxin.core.tasks import nightly_seal_audit
from anxin.core.verify import verify_all

pytestmark = pytest.mark.postgres

GUARDS = (
    ("core_auditevent", "core_auditevent_append_only"),
    ("core_auditstreamhead", "core_auditstreamhead_forward_only"),
    ("core_auditcheckpoint", "core_auditcheckpoint_append_only"),
)


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the triggers and roles under attack exist on PostgreSQL only")


def as_owner(sql: str, params=()):
    """Tamper as the tables' owner: switch the guards off, change, switch them on again."""
    with connection.cursor() as cur:
        for table, trigger in GUARDS:
            cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        cur.execute(sql, params)
        for table, trigger in GUARDS:
            cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")


def problems() -> list[str]:
    return [f"{p.stream} {p.what}" for _s, p in verify_all() if p is not None]


def detected(*words: str) -> list[str]:
    found = problems()
    assert found, "tampering went unnoticed"
    with pytest.raises(CommandError):
        call_command("verify_audit")
    for word in words:
        assert any(word in p for p in found), (word, found)
    return found


def rows(stream: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(stream=stream).order_by("seq"))


def rechain(stream: str, from_seq: int) -> None:
    """Recompute every hash from ``from_seq`` to the head, as a tamperer who knows the hash
    function would; the head's signature stays as it was (the key is not in the database)."""
    prev = None
    for ev in rows(stream):
        if ev.seq < from_seq:
            prev = ev.hash
            continue
        prev = ev.prev_hash if prev is None else prev
        digest = audit.compute_hash(prev, audit.row_for_hash(ev))
        as_owner("UPDATE core_auditevent SET prev_hash = %s, hash = %s WHERE id = %s", [prev, digest, ev.id])
        prev = digest
    as_owner("UPDATE core_auditstreamhead SET hash = %s WHERE stream = %s", [prev, stream])


@pytest.fixture
def trail(db):
    """Yesterday: a county stream and a school stream, sealed last night; today: two schools'
    streams and the county's; a checkpoint of all of it outside the database."""
    with time_machine.travel(timezone.now() - timedelta(days=1)):
        audit.append("login", county_id=1)
        for i in range(3):
            audit.append("read", county_id=1, school_id=7, data={"i": i})
    assert nightly_seal_audit.call_local(day=clock.today() - timedelta(days=1)) == 1
    school7 = [audit.append("read", county_id=1, school_id=7, data={"i": i}) for i in range(4)]
    school8 = [audit.append("read", county_id=1, school_id=8, data={"i": i}) for i in range(3)]
    audit.append("login", county_id=1)
    checkpoint.write()
    assert problems() == []
    call_command("verify_audit")
    return {
        "s7": school7[0].stream,
        "s8": school8[0].stream,
        "county": audit.stream_for(1, None, timezone.now()),
    }


def test_01_forged_event_and_advanced_head_with_only_insert_and_update(trail):
    s = trail["s7"]
    head = AuditStreamHead.objects.get(stream=s)
    row = audit.row_for_hash(rows(s)[-1])
    row.update(seq=head.seq + 1, action="delete", object_id="99")
    digest = audit.compute_hash(head.hash, row)
    with connection.cursor() as cur:  # no trigger touched: the runtime role's own rights
        cur.execute(
            "INSERT INTO core_auditevent (stream, seq, at, county_id, school_id, actor_id, actor, role,"
            " actor_scope, action, object_type, object_id, result, request_id, data, prev_hash, hash)"
            " SELECT stream, %s, at, county_id, school_id, actor_id, actor, role, actor_scope, %s,"
            " object_type, %s, result, request_id, data, %s, %s FROM core_auditevent"
            " WHERE stream = %s AND seq = %s",
            [head.seq + 1, "delete", "99", head.hash, digest, s, head.seq],
        )
        cur.execute(
            "UPDATE core_auditstreamhead SET seq = %s, hash = %s WHERE stream = %s", [head.seq + 1, digest, s]
        )
    assert AuditEvent.objects.filter(stream=s).count() == head.seq + 1
    detected("签名")


def test_02_deleted_tail_and_rewound_head(trail):
    s = trail["s7"]
    before = AuditStreamHead.objects.get(stream=s)  # a signed head the tamperer kept a copy of
    audit.append("read", county_id=1, school_id=7, data={"secret": 1})
    checkpoint.write()
    last = rows(s)[-1]
    as_owner("DELETE FROM core_auditevent WHERE id = %s", [last.id])
    as_owner(
        "UPDATE core_auditstreamhead SET seq = %s, hash = %s, mac = %s WHERE stream = %s",
        [before.seq, before.hash, before.mac, s],
    )
    detected("少于校验点")


def test_03_rewritten_row_recomputed_to_the_head(trail):
    """Between two checkpoints only the head's signature protects the newest rows."""
    s = trail["s7"]
    for i in range(3):
        audit.append("read", county_id=1, school_id=7, data={"new": i})
    ev = rows(s)[-2]
    as_owner("UPDATE core_auditevent SET action = %s WHERE id = %s", ["export", ev.id])
    rechain(s, ev.seq)
    detected("流头签名不符")


def test_03b_rewritten_checkpointed_row_recomputed_to_the_head(trail):
    s = trail["s7"]
    ev = rows(s)[1]
    as_owner("UPDATE core_auditevent SET action = %s WHERE id = %s", ["export", ev.id])
    rechain(s, ev.seq)
    detected("与校验点第2号不符")


def test_04_truncate_both_tables(trail):
    as_owner("TRUNCATE core_auditevent, core_auditstreamhead")
    audit.append("login", county_id=1)  # the application writes on
    detected("整条审计流缺失")


def test_04b_truncate_then_the_next_checkpoint_records_the_new_state(trail):
    """The periodic checkpoint after the attack does not bless it: every earlier checkpointed
    link must still be in the chain."""
    as_owner("TRUNCATE core_auditevent, core_auditstreamhead")
    audit.append("read", county_id=1, school_id=7)
    assert checkpoint.write() is not None
    detected("少于校验点")


def test_05_rewritten_seal(trail):
    seal = AuditEvent.objects.get(action="audit.seal")
    data = dict(seal.data)
    data["streams"] = {k: [v[0] - 1, v[1]] for k, v in data["streams"].items()}
    as_owner("UPDATE core_auditevent SET data = %s WHERE id = %s", [json.dumps(data), seal.id])
    rechain(seal.stream, seal.seq)
    detected("封存记录签名不符", "与校验点第1号不符")


def test_06_edited_row(trail):
    ev = rows(trail["s8"])[1]
    as_owner("UPDATE core_auditevent SET actor = %s WHERE id = %s", ["nobody", ev.id])
    detected("内容与哈希不符")


def test_07_deleted_middle_row(trail):
    ev = rows(trail["s7"])[2]
    as_owner("DELETE FROM core_auditevent WHERE id = %s", [ev.id])
    detected("缺失")


def test_08_reordered_rows(trail):
    a, b = rows(trail["s7"])[1:3]
    as_owner("UPDATE core_auditevent SET seq = 999 WHERE id = %s", [a.id])
    as_owner("UPDATE core_auditevent SET seq = %s WHERE id = %s", [a.seq, b.id])
    as_owner("UPDATE core_auditevent SET seq = %s WHERE id = %s", [b.seq, a.id])
    detected("前序哈希不符")


def test_09_changed_seq(trail):
    ev = rows(trail["s8"])[-1]
    as_owner("UPDATE core_auditevent SET seq = 40 WHERE id = %s", [ev.id])
    detected("缺失")


def test_10_forged_head_only(trail):
    s = trail["s8"]
    second = rows(s)[1]
    # the head pointed back at an earlier link, the rows left alone
    as_owner(
        "UPDATE core_auditstreamhead SET seq = %s, hash = %s WHERE stream = %s", [second.seq, second.hash, s]
    )
    detected("流头记录为2条，实有3条")


def test_11_deleted_whole_stream(trail):
    s = trail["s8"]
    as_owner("DELETE FROM core_auditevent WHERE stream = %s", [s])
    as_owner("DELETE FROM core_auditstreamhead WHERE stream = %s", [s])
    detected("整条审计流缺失")


def test_12_dropped_day_of_a_county_stream(trail):
    yesterday = audit.stream_for(1, None, timezone.now() - timedelta(days=1))
    assert AuditEvent.objects.filter(stream=yesterday).exists()
    as_owner("DELETE FROM core_auditevent WHERE stream = %s", [yesterday])
    as_owner("DELETE FROM core_auditstreamhead WHERE stream = %s", [yesterday])
    detected("整条审计流缺失", "衔接不上")


def test_13_altered_hash_column(trail):
    ev = rows(trail["s7"])[1]
    as_owner("UPDATE core_auditevent SET hash = %s WHERE id = %s", ["a" * 64, ev.id])
    detected("不符")


def test_14_row_replayed_from_another_stream(trail):
    s7, s8 = trail["s7"], trail["s8"]
    head = AuditStreamHead.objects.get(stream=s7)
    donor = rows(s8)[0]
    as_owner(
        "INSERT INTO core_auditevent (stream, seq, at, county_id, school_id, actor_id, actor, role,"
        " actor_scope, action, object_type, object_id, result, request_id, data, prev_hash, hash)"
        " SELECT %s, %s, at, county_id, school_id, actor_id, actor, role, actor_scope, action,"
        " object_type, object_id, result, request_id, data, %s, hash FROM core_auditevent WHERE id = %s",
        [s7, head.seq + 1, head.hash, donor.id],
    )
    as_owner(
        "UPDATE core_auditstreamhead SET seq = %s, hash = %s WHERE stream = %s",
        [head.seq + 1, donor.hash, s7],
    )
    detected("内容与哈希不符")


def _checkpoint_lines() -> tuple[object, list[str]]:
    [path] = sorted(checkpoint.directory().glob("checkpoints-*.jsonl"))
    return path, path.read_text().splitlines()


def test_15_rewritten_checkpoint_file(trail):
    path, lines = _checkpoint_lines()
    assert path.stat().st_mode & 0o777 == 0o600
    line = json.loads(lines[-1])
    # claim fewer rows, so a later truncation would pass: the MAC no longer matches
    line["streams"] = {k: [max(v[0] - 1, 0), v[1]] for k, v in line["streams"].items()}
    path.write_text("\n".join([*lines[:-1], json.dumps(line)]) + "\n")
    detected("签名不符（校验点文件被改写）")


def test_16_deleted_checkpoint_lines(trail):
    for i in range(2):
        audit.append("read", county_id=1, school_id=7, data={"more": i})
        checkpoint.write()
    path, lines = _checkpoint_lines()
    # 1: last night's seal, 2: the trail, 3 and 4: just now
    assert [json.loads(x)["n"] for x in lines] == [1, 2, 3, 4]
    path.write_text("\n".join([*lines[:2], lines[3]]) + "\n")  # a middle line
    detected("校验点第3号")
    path.write_text("\n".join(lines[:3]) + "\n")  # the tail: the database knows number 4
    detected("校验点第4号不在校验点文件中")
    assert AuditCheckpoint.objects.filter(n=4).exists()


@pytest.fixture
def runtime_role(db):
    """Owner and runtime roles set up by ``manage.py audit_roles --print-sql``; all of it is
    rolled back with the test's transaction (roles and grants are transactional here)."""
    suffix = uuid.uuid4().hex[:8]
    owner, runtime = f"anxin_owner_{suffix}", f"anxin_app_{suffix}"
    with connection.cursor() as cur:
        cur.execute(role_sql(owner, runtime, connection.settings_dict["NAME"]))
        cur.execute(f"SET ROLE {runtime}")
    yield runtime
    with connection.cursor() as cur:
        cur.execute("RESET ROLE")


def test_17_runtime_role_cannot_disable_the_trigger_or_rewrite(trail, runtime_role):
    ev = rows(trail["s7"])[0]
    refused = [
        "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only",
        "ALTER TABLE core_auditstreamhead DISABLE TRIGGER core_auditstreamhead_forward_only",
        "ALTER TABLE core_auditevent DISABLE TRIGGER ALL",
        f"UPDATE core_auditevent SET action = 'x' WHERE id = {ev.id}",
        f"DELETE FROM core_auditevent WHERE id = {ev.id}",
        "TRUNCATE core_auditevent",
        "TRUNCATE core_auditstreamhead",
        "DELETE FROM core_auditstreamhead",
        f"UPDATE core_auditstreamhead SET seq = 1 WHERE stream = '{trail['s7']}'",  # rewinding
        "DELETE FROM core_auditcheckpoint",
    ]
    for sql in refused:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
    # what the application does still works as the runtime role: append and checkpoint
    audit.append("read", county_id=1, school_id=7, data={"after": True})
    assert checkpoint.write() is not None
    assert problems() == []


@pytest.mark.django_db(transaction=True)
def test_verifying_while_the_app_writes_reports_no_break():
    """verify_audit reads one snapshot: appends and checkpoints committed meanwhile are no
    truncation (before, 2 runs in 4 reported "记录被截断" on a live database)."""
    for school in (7, 8, 9):
        audit.append("read", county_id=1, school_id=school)
    checkpoint.write()
    stop = threading.Event()
    errors: list[BaseException] = []

    def work(fn):
        try:
            while not stop.is_set():
                fn()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [
        threading.Thread(target=work, args=(lambda s=s: audit.append("read", county_id=1, school_id=s),))
        for s in (7, 8, 9)
    ]
    workers.append(threading.Thread(target=work, args=(checkpoint.write,)))
    for t in workers:
        t.start()
    try:
        start = AuditEvent.objects.count()
        found = []
        for _ in range(6):
            found += [p for _s, p in verify_all() if p is not None]
        appended = AuditEvent.objects.count() - start
    finally:
        stop.set()
        for t in workers:
            t.join(timeout=30)
    assert errors == []
    assert appended > 20  # the trail really grew while it was verified
    assert found == []
    assert problems() == []
