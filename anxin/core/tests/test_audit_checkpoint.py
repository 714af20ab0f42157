"""Signed heads and checkpoints outside the database (LAW 22), on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from anxin.core import audit, checkpoint
from anxin.core.models import AuditCheckpoint, AuditEvent, AuditStreamHead
from anxin.core.tasks import audit_checkpoint
from anxin.core.verify import verify_all


def _problems() -> list[str]:
    return [p.what for _s, p in verify_all() if p is not None]


def _lines() -> list[dict]:
    return [
        json.loads(line)
        for f in sorted(checkpoint.directory().glob("checkpoints-*.jsonl"))
        for line in f.read_text().splitlines()
    ]


def _tamper(sql, params):
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
            cur.execute("ALTER TABLE core_auditstreamhead DISABLE TRIGGER core_auditstreamhead_forward_only")
        cur.execute(sql, params)
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")
            cur.execute("ALTER TABLE core_auditstreamhead ENABLE TRIGGER core_auditstreamhead_forward_only")


@pytest.mark.django_db
def test_heads_are_signed_with_a_key_outside_the_database(settings):
    ev = audit.append("read", county_id=1, school_id=7)
    head = AuditStreamHead.objects.get(stream=ev.stream)
    assert head.mac == audit.head_mac(head.stream, head.seq, head.hash) and len(head.mac) == 64
    assert settings.ANXIN_AUDIT_KEY not in json.dumps(list(AuditEvent.objects.values("data")))
    assert _problems() == []
    settings.ANXIN_AUDIT_KEY = "another key"  # a head signed with another key is no head of ours
    assert any("流头签名不符" in what for what in _problems())


@pytest.mark.django_db
def test_the_periodic_checkpoint_writes_only_what_changed():
    ev = audit.append("read", county_id=1, school_id=7)
    assert audit_checkpoint.call_local() == 2  # the school's stream and its county's
    assert audit_checkpoint.call_local() == 0  # nothing changed: nothing written
    audit.append("read", county_id=1, school_id=7)
    assert audit_checkpoint.call_local() == 1
    lines = _lines()
    assert [line["n"] for line in lines] == [1, 2]
    assert lines[1]["prev"] == lines[0]["mac"] and lines[0]["prev"] == audit.GENESIS
    assert lines[1]["streams"] == {ev.stream: [2, AuditStreamHead.objects.get(stream=ev.stream).hash]}
    assert all(line["mac"] == checkpoint.line_mac(line) for line in lines)
    assert list(AuditCheckpoint.objects.values_list("n", "mac")) == [(x["n"], x["mac"]) for x in lines]
    [path] = checkpoint.directory().glob("checkpoints-*.jsonl")
    assert path.stat().st_mode & 0o777 == 0o600
    assert _problems() == []
    call_command("verify_audit")


@pytest.mark.django_db
def test_a_truncation_with_a_rewound_signed_head_is_caught_by_the_checkpoint():
    """The tamperer kept a copy of an older signed head and puts it back after cutting the tail."""
    evs = [audit.append("read", county_id=1, school_id=7, data={"i": i}) for i in range(3)]
    old = AuditStreamHead.objects.get(stream=evs[0].stream)
    audit.append("read", county_id=1, school_id=7, data={"i": 3})
    checkpoint.write()
    _tamper("DELETE FROM core_auditevent WHERE stream = %s AND seq = 4", [old.stream])
    _tamper(
        "UPDATE core_auditstreamhead SET seq = %s, hash = %s, mac = %s WHERE stream = %s",
        [old.seq, old.hash, old.mac, old.stream],
    )
    assert any("少于校验点" in what for what in _problems())
    checkpoint.write()  # the next checkpoint records the cut stream: the earlier one still counts
    assert _lines()[-1]["streams"][old.stream][0] == 3
    assert any("少于校验点" in what for what in _problems())
    with pytest.raises(CommandError, match="校验点"):
        call_command("verify_audit")
    # a restore drill on a dump older than the checkpoints may leave them out
    call_command("verify_audit", "--no-checkpoints")


@pytest.mark.django_db
def test_a_rewritten_checkpoint_line_fails_its_signature():
    audit.append("read", county_id=1, school_id=7)
    checkpoint.write()
    [path] = checkpoint.directory().glob("checkpoints-*.jsonl")
    line = json.loads(path.read_text())
    line["streams"] = {}
    path.write_text(json.dumps(line) + "\n")
    assert any("签名不符" in what for what in _problems())


@pytest.mark.django_db
def test_audit_roles_prints_the_grants():
    from io import StringIO

    out = StringIO()
    call_command(
        "audit_roles", "--print-sql", "--owner", "o1", "--runtime", "r1", "--database", "db", stdout=out
    )
    sql = out.getvalue()
    assert "GRANT SELECT, INSERT ON core_auditevent TO r1;" in sql
    assert "GRANT SELECT, INSERT, UPDATE ON core_auditstreamhead TO r1;" in sql
    assert "REVOKE ALL ON core_auditevent FROM r1;" in sql
    assert "OWNER TO o1" in sql and "OWNER TO r1" not in sql
    with pytest.raises(CommandError):
        call_command("audit_roles", "--print-sql", "--runtime", "x; DROP TABLE y", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("audit_roles", stdout=StringIO())
