"""Verifying the audit chain: edits, deletions, reordering, truncation and forged heads."""

from __future__ import annotations

from dataclasses import dataclass

from anxin.core.audit import GENESIS, compute_hash, row_for_hash
from anxin.core.models import AuditEvent, AuditStreamHead


@dataclass
class Problem:
    stream: str
    seq: int
    what: str

    def __str__(self) -> str:
        return f"{self.stream} #{self.seq}: {self.what}"


def verify_stream(
    stream: str, head: AuditStreamHead | None, starts: frozenset[str] = frozenset({GENESIS})
) -> Problem | None:
    """Walk one stream to its head. Its first link must start from one of ``starts``: GENESIS,
    or for a county stream a hash of that county's previous day (the chain across days)."""
    prev = None
    expected = 1
    last = None
    for ev in AuditEvent.objects.filter(stream=stream).order_by("seq").iterator(chunk_size=2000):
        if ev.seq != expected:
            return Problem(stream, expected, f"第{expected}条缺失（链条断开，下一条为第{ev.seq}条）")
        if prev is None:
            if ev.prev_hash not in starts:
                return Problem(stream, ev.seq, "首条记录与前一日县级审计流衔接不上（前一日记录被删除或改写）")
            prev = ev.prev_hash
        if ev.prev_hash != prev:
            return Problem(stream, ev.seq, "前序哈希不符（记录被删除、调换顺序或改写）")
        if compute_hash(prev, row_for_hash(ev)) != ev.hash:
            return Problem(stream, ev.seq, "内容与哈希不符（记录被改写）")
        prev = ev.hash
        expected += 1
        last = ev
    if head is None:
        return Problem(stream, expected - 1, "审计流头记录缺失")
    if prev is None:
        prev = head.hash if head.seq == 0 else ""
    count = last.seq if last else 0
    if head.seq != count:
        return Problem(stream, count + 1, f"流头记录为{head.seq}条，实有{count}条（记录被截断）")
    if head.hash != prev:
        return Problem(stream, count, "流头哈希与最后一条不符（流头被伪造）")
    return None


def _county_prefix(name: str) -> str | None:
    return name.rsplit(":", 1)[0] + ":" if name.startswith("county:") else None


def verify_all(streams: list[str] | None = None):
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
    seals = list(AuditEvent.objects.filter(action="audit.seal").only("data", "stream", "seq"))
    names |= {n for n in announced if n}
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
            problem = verify_stream(name, head, starts)
        if problem is None and not prefix and name not in announced:
            problem = Problem(name, 1, "审计流未在县级审计流中登记（登记记录被删除）")
        if prefix:
            # any link of this day may anchor the next day (an append racing midnight is fine)
            county_hashes[prefix] = frozenset(
                AuditEvent.objects.filter(stream=name).values_list("hash", flat=True)
            )
        yield name, problem
    for seal in seals:
        for name, (seq, digest) in (seal.data.get("streams") or {}).items():
            if streams and name not in streams:
                continue
            head = heads.get(name)
            if head is None or head.seq != seq or head.hash != digest:
                yield name, Problem(name, seq, f"与封存记录不符（{seal.stream} 第{seal.seq}条封存为{seq}条）")
