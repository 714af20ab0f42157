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


def verify_stream(stream: str, head: AuditStreamHead | None) -> Problem | None:
    prev = GENESIS
    expected = 1
    last = None
    for ev in AuditEvent.objects.filter(stream=stream).order_by("seq").iterator(chunk_size=2000):
        if ev.seq != expected:
            return Problem(stream, expected, f"第{expected}条缺失（链条断开，下一条为第{ev.seq}条）")
        if ev.prev_hash != prev:
            return Problem(stream, ev.seq, "前序哈希不符（记录被删除、调换顺序或改写）")
        if compute_hash(prev, row_for_hash(ev)) != ev.hash:
            return Problem(stream, ev.seq, "内容与哈希不符（记录被改写）")
        prev = ev.hash
        expected += 1
        last = ev
    if head is None:
        return Problem(stream, expected - 1, "审计流头记录缺失")
    count = last.seq if last else 0
    if head.seq != count:
        return Problem(stream, count + 1, f"流头记录为{head.seq}条，实有{count}条（记录被截断）")
    if head.hash != prev:
        return Problem(stream, count, "流头哈希与最后一条不符（流头被伪造）")
    return None


def verify_all(streams: list[str] | None = None):
    """Yield (stream, problem-or-None) for each stream, in order."""
    heads = {h.stream: h for h in AuditStreamHead.objects.all()}
    names = set(heads) | set(AuditEvent.objects.values_list("stream", flat=True).distinct())
    if streams:
        names &= set(streams)
    for name in sorted(names):
        yield name, verify_stream(name, heads.get(name))
