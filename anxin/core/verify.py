"""Verifying the audit chain: edits, deletions, reordering, truncation and forged heads,
against the heads' signatures and the signed checkpoints kept outside the database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction

from anxin.core import checkpoint
from anxin.core.audit import GENESIS, compute_hash, head_mac, row_for_hash, seal_mac
from anxin.core.audit_redact import REDACTED_KEY, redacted_data, redactions
from anxin.core.models import AuditEvent, AuditStreamHead


@dataclass
class Problem:
    stream: str
    seq: int
    what: str

    def __str__(self) -> str:
        return f"{self.stream} #{self.seq}: {self.what}"


def verify_stream(
    stream: str,
    head: AuditStreamHead | None,
    starts: frozenset[str] = frozenset({GENESIS}),
    checkpointed: dict[int, tuple[str, int]] | None = None,
    redacted: dict[int, tuple[str, str, str]] | None = None,
) -> Problem | None:
    """Walk one stream to its head. Its first link must start from one of ``starts``: GENESIS,
    or for a county stream a hash of that county's previous day (the chain across days). The
    head must carry its signature, and the stream must still hold every link its checkpoints
    recorded (``checkpointed``: {seq: (hash, checkpoint number)})."""
    prev = None
    expected = 1
    last = None
    checkpointed = checkpointed or {}
    for ev in AuditEvent.objects.filter(stream=stream).order_by("seq").iterator(chunk_size=2000):
        if ev.seq != expected:
            return Problem(stream, expected, f"第{expected}条缺失（链条断开，下一条为第{ev.seq}条）")
        if prev is None:
            if ev.prev_hash not in starts:
                return Problem(stream, ev.seq, "首条记录与前一日县级审计流衔接不上（前一日记录被删除或改写）")
            prev = ev.prev_hash
        if ev.prev_hash != prev:
            return Problem(stream, ev.seq, "前序哈希不符（记录被删除、调换顺序或改写）")
        if isinstance(ev.data, dict) and REDACTED_KEY in ev.data:
            # redacted at the end of its retention (LAW 22): a signed redaction record must name
            # this entry with the same hash and content hash
            named = (redacted or {}).get(ev.seq)
            if named is None or named[0] != ev.hash or ev.data != redacted_data(named[1], named[2]):
                return Problem(stream, ev.seq, "记录内容被替换，且没有对应的删减记录（记录被改写）")
        elif compute_hash(prev, row_for_hash(ev)) != ev.hash:
            return Problem(stream, ev.seq, "内容与哈希不符（记录被改写）")
        prev = ev.hash
        expected += 1
        last = ev
        if ev.seq in checkpointed and checkpointed[ev.seq][0] != ev.hash:
            n = checkpointed[ev.seq][1]
            return Problem(stream, ev.seq, f"第{ev.seq}条与校验点第{n}号不符（记录被改写）")
    count = last.seq if last else 0
    if checkpointed:
        cp_seq = max(checkpointed)
        n = checkpointed[cp_seq][1]
        if head is None and last is None:
            return Problem(stream, 0, f"整条审计流缺失（校验点第{n}号记载其有{cp_seq}条）")
        if count < cp_seq:
            return Problem(
                stream, count + 1, f"实有{count}条，少于校验点第{n}号记载的{cp_seq}条（记录被截断）"
            )
    if head is None:
        return Problem(stream, expected - 1, "审计流头记录缺失")
    if prev is None:
        prev = head.hash if head.seq == 0 else ""
    if head.seq != count:
        return Problem(stream, count + 1, f"流头记录为{head.seq}条，实有{count}条（记录被截断）")
    if head.hash != prev:
        return Problem(stream, count, "流头哈希与最后一条不符（流头被伪造）")
    if head.mac != head_mac(stream, head.seq, head.hash):
        return Problem(stream, count, "流头签名不符（流头被伪造，或 ANXIN_AUDIT_KEY 不是写入时的密钥）")
    return None


def _county_prefix(name: str) -> str | None:
    return name.rsplit(":", 1)[0] + ":" if name.startswith("county:") else None


@contextmanager
def _snapshot():
    """One consistent snapshot for the whole walk: on PostgreSQL a REPEATABLE READ, read-only
    transaction, so appends committed meanwhile never look like a truncation. Yields whether
    it holds one (inside a caller's transaction, or on SQLite, heads are re-read instead)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield False
        return
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cur.execute("SELECT 1")  # the snapshot is taken at the first query
        yield True


def verify_all(
    streams: list[str] | None = None, *, checkpoints: bool = True
) -> Iterator[tuple[str, Problem | None]]:
    """Iterate (stream, problem-or-None) for each stream, in order, then the problems of the
    seals and of the checkpoint files. ``checkpoints=False`` skips the checkpoint files (a
    restore drill on an older dump). Everything is read in one snapshot before the first item."""
    # Lines read before the snapshot hold states no newer than it: comparing streams with them
    # never reports rows appended meanwhile as missing.
    before = checkpoint.read() if checkpoints else checkpoint.Checkpoints()
    with _snapshot() as snap:
        # Lines read after it hold every checkpoint the snapshot's database rows know of.
        after = checkpoint.read() if checkpoints else None
        results = list(_walk(streams, before.links(), snap))
        if after is not None:
            found = checkpoint.chain_problems(after) + checkpoint.database_problems(after)
            results += [(checkpoint.STREAM, Problem(checkpoint.STREAM, n, what)) for n, what in found]
    return iter(results)


def _walk(streams, checkpointed: dict, snap: bool):
    """Yield (stream, problem-or-None) for each stream, in order. Beyond each chain it checks
    the links between streams: county streams chain across days, every school stream was
    announced in its county's stream (a deleted stream leaves its announcement behind), and
    nightly seals fix each closed stream's final length and hash (a truncated tail whose head
    was rewound no longer matches its seal)."""
    heads = {h.stream: h for h in AuditStreamHead.objects.all()}
    names = set(heads) | set(AuditEvent.objects.values_list("stream", flat=True).distinct())
    announced = {
        e.data.get("stream"): e
        for e in AuditEvent.objects.filter(action="stream.open").only("data", "stream", "seq")
    }
    seals = list(AuditEvent.objects.filter(action="audit.seal").only("data", "stream", "seq", "county_id"))
    redacted, forged = redactions(
        AuditEvent.objects.filter(action="audit.redact")
        .only("data", "stream", "seq")
        .order_by("stream", "seq")
    )
    names |= {n for n in announced if n} | set(checkpointed)
    if streams:
        names &= set(streams)
    county_hashes: dict[str, frozenset[str]] = {}
    for name in sorted(names):
        prefix = _county_prefix(name)
        starts = county_hashes.get(prefix, frozenset({GENESIS})) if prefix else frozenset({GENESIS})
        head = heads.get(name)
        problem = None
        if head is None and name in announced and not AuditEvent.objects.filter(stream=name).exists():
            ev = announced[name]
            problem = Problem(name, 0, f"整条审计流缺失（{ev.stream} 第{ev.seq}条记载其建立）")
        else:
            problem = verify_stream(name, head, starts, checkpointed.get(name), redacted.get(name))
            for _retry in range(3):
                # without a snapshot, an append between reading the head and the rows is no break
                if problem is None or snap:
                    break
                fresh = AuditStreamHead.objects.filter(stream=name).first()
                if fresh is None or (head is not None and (fresh.seq, fresh.hash) == (head.seq, head.hash)):
                    break
                head = fresh
                problem = verify_stream(name, head, starts, checkpointed.get(name), redacted.get(name))
        if problem is None and not prefix and name not in announced:
            problem = Problem(name, 1, "审计流未在县级审计流中登记（登记记录被删除）")
        if prefix:
            # any link of this day may anchor the next day (an append racing midnight is fine)
            county_hashes[prefix] = frozenset(
                AuditEvent.objects.filter(stream=name).values_list("hash", flat=True)
            )
        yield name, problem
    for rec in forged:
        yield rec.stream, Problem(rec.stream, rec.seq, "删减记录签名不符（删减记录被伪造或改写）")
    for seal in seals:
        # seals written before they were signed rest on the chain and the signed county head
        if "mac" in seal.data and seal.data["mac"] != seal_mac(
            seal.county_id, seal.data.get("day"), seal.data.get("streams") or {}
        ):
            yield seal.stream, Problem(seal.stream, seal.seq, "封存记录签名不符（封存记录被改写）")
        for name, (seq, digest) in (seal.data.get("streams") or {}).items():
            if streams and name not in streams:
                continue
            head = heads.get(name)
            if head is None or head.seq != seq or head.hash != digest:
                yield name, Problem(name, seq, f"与封存记录不符（{seal.stream} 第{seal.seq}条封存为{seq}条）")


# Other hash chains kept by the apps (cases: each case's timeline), checked by ``verify_audit``
# beside the audit trail. Each is a callable(streams) yielding (stream, Problem | None) like
# ``verify_all``, registered in its app's AppConfig.ready(); core names no app.
CHAIN_VERIFIERS: list[Callable[[list[str] | None], Iterator[tuple[str, Problem | None]]]] = []


def register_chain(verifier: Callable) -> None:
    if verifier not in CHAIN_VERIFIERS:
        CHAIN_VERIFIERS.append(verifier)
