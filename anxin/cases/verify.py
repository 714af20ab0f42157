"""Verifying case timelines (R-CASE-10): edits, deletions, reordering, truncation and forged
heads, for every case's stream. Hooked into ``manage.py verify_audit`` beside the audit trail."""

from __future__ import annotations

from collections.abc import Iterator

from anxin.cases.timeline import compute_hash, row_for_hash
from anxin.core.verify import Problem

GENESIS = "0" * 64


def stream_name(case_id: int) -> str:
    return f"case:{case_id}"


def verify_case(case_id: int, head_seq: int, head_hash: str) -> Problem | None:
    from anxin.cases.models import CaseEvent

    stream = stream_name(case_id)
    prev, expected = GENESIS, 1
    for ev in CaseEvent.objects.filter(case_id=case_id).order_by("seq").iterator(chunk_size=2000):
        if ev.seq != expected:
            return Problem(stream, expected, f"第{expected}条缺失（链条断开，下一条为第{ev.seq}条）")
        if ev.prev_hash != prev:
            return Problem(stream, ev.seq, "前序哈希不符（记录被删除、调换顺序或改写）")
        if compute_hash(prev, row_for_hash(ev)) != ev.hash:
            return Problem(stream, ev.seq, "内容与哈希不符（记录被改写）")
        prev = ev.hash
        expected += 1
    count = expected - 1
    if head_seq != count:
        return Problem(stream, count + 1, f"案件记录为{head_seq}条，实有{count}条（记录被截断）")
    if head_hash != prev:
        return Problem(stream, count, "案件头哈希与最后一条不符（被伪造）")
    return None


def verify_cases(streams: list[str] | None = None) -> Iterator[tuple[str, Problem | None]]:
    """Yield (stream, problem-or-None) for every case stream (``case:<id>``), in id order."""
    from anxin.cases.models import BullyingCase, CaseEvent

    heads = BullyingCase.objects.order_by("pk").values_list("pk", "timeline_seq", "timeline_hash")
    if streams is not None:
        ids = [int(s.split(":", 1)[1]) for s in streams if s.startswith("case:") and s[5:].isdigit()]
        heads = heads.filter(pk__in=ids)
    known = set()
    for pk, seq, digest in heads.iterator(chunk_size=2000):
        known.add(pk)
        yield stream_name(pk), verify_case(pk, seq, digest)
    if streams is None:
        # events whose case row is gone cannot be verified against a head: report them
        orphans = CaseEvent.objects.exclude(case_id__in=BullyingCase.objects.values("pk"))
        for case_id in orphans.values_list("case_id", flat=True).distinct():
            if case_id not in known:
                yield stream_name(case_id), Problem(stream_name(case_id), 0, "案件记录缺失（时间线无主）")
