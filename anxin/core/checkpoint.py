"""Signed checkpoints of the audit streams, written outside the database (LAW 22).

Every few minutes the task worker appends one JSON line to a file in
``ANXIN_AUDIT_CHECKPOINT_DIR``: the length and head hash of every stream that changed since the
last checkpoint, the time, the previous line's MAC and its own HMAC with ``ANXIN_AUDIT_KEY``.
The database keeps a copy of each line's number and MAC (``AuditCheckpoint``).
``verify_audit`` then detects what a database owner could otherwise hide: a stream with fewer
rows than checkpointed, rewritten links, a missing stream (TRUNCATE). Rewritten lines fail
their MAC; deleted lines leave a gap in the numbering or in the ``prev`` links; a cut tail
leaves its numbers in the database.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from anxin.core import audit, clock
from anxin.core.models import AuditCheckpoint, AuditStreamHead

GENESIS = audit.GENESIS
STREAM = "audit-checkpoints"  # the name problems of the checkpoint files are reported under
RECENT_FILES = 3  # the writer folds the last files to know what changed since

log = logging.getLogger(__name__)


def directory() -> Path:
    return Path(settings.ANXIN_AUDIT_CHECKPOINT_DIR)


def line_mac(line: dict) -> str:
    return audit.sign("checkpoint", audit.canonical({k: v for k, v in line.items() if k != "mac"}))


@dataclass
class Checkpoints:
    """The lines of the checkpoint files, by number, and what is wrong with them."""

    lines: dict[int, dict] = field(default_factory=dict)
    problems: list[tuple[int, str]] = field(default_factory=list)

    def _valid(self):
        for n in sorted(self.lines):
            line = self.lines[n]
            if line.get("mac") == line_mac(line):
                for name, (seq, digest) in (line.get("streams") or {}).items():
                    yield n, name, int(seq), str(digest)

    def latest(self) -> dict[str, tuple[int, str]]:
        """Each checkpointed stream's latest (seq, hash), from the lines whose MAC holds."""
        return {name: (seq, digest) for _n, name, seq, digest in self._valid()}

    def links(self) -> dict[str, dict[int, tuple[str, int]]]:
        """Every link any valid line recorded, per stream: {seq: (hash, checkpoint number)}.
        All of them must still be in the chain: a stream truncated (or rewritten with the key)
        and checkpointed again afterwards still contradicts its earlier checkpoints."""
        out: dict[str, dict[int, tuple[str, int]]] = {}
        for n, name, seq, digest in self._valid():
            out.setdefault(name, {}).setdefault(seq, (digest, n))
        return out


def _files(path: Path) -> list[Path]:
    return sorted(path.glob("checkpoints-*.jsonl")) if path.is_dir() else []


def read(files: list[Path] | None = None) -> Checkpoints:
    """Read the checkpoint lines and check each one's MAC, numbering and link to the previous."""
    cps = Checkpoints()
    for f in _files(directory()) if files is None else files:
        for i, raw in enumerate(f.read_text(encoding="utf-8").splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                line = json.loads(raw)
                n = int(line["n"])
            except (ValueError, KeyError, TypeError):
                cps.problems.append((0, f"校验点文件 {f.name} 第{i}行无法读取（文件被改写）"))
                continue
            if n in cps.lines:
                cps.problems.append((n, f"校验点第{n}号重复出现（文件被改写）"))
                continue
            cps.lines[n] = line
    return cps


def chain_problems(cps: Checkpoints) -> list[tuple[int, str]]:
    """Rewritten lines fail their MAC; a deleted line leaves a gap or a broken ``prev`` link."""
    problems = list(cps.problems)
    prev, expected = GENESIS, 1
    for n in sorted(cps.lines):
        line = cps.lines[n]
        if n != expected:
            problems.append((expected, f"校验点第{expected}号至第{n - 1}号缺失（校验点文件被删改）"))
        elif line.get("prev") != prev:
            problems.append((n, f"校验点第{n}号与前一号衔接不上（校验点被删除或改写）"))
        if line.get("mac") != line_mac(line):
            problems.append((n, f"校验点第{n}号签名不符（校验点文件被改写）"))
        prev, expected = line.get("mac"), n + 1
    return problems


def database_problems(cps: Checkpoints) -> list[tuple[int, str]]:
    """A checkpoint the database recorded must still be in the files, unchanged."""
    problems = []
    for n, mac in AuditCheckpoint.objects.order_by("n").values_list("n", "mac").iterator(chunk_size=5000):
        line = cps.lines.get(n)
        if line is None:
            problems.append((n, f"数据库记载的校验点第{n}号不在校验点文件中（文件被截断或删除）"))
        elif line.get("mac") != mac:
            problems.append((n, f"校验点第{n}号与数据库记载不符（校验点被改写）"))
    return problems


def _stream_day(name: str) -> date | None:
    try:
        return date.fromisoformat(name.rsplit(":", 1)[1])
    except (IndexError, ValueError):
        return None


def _heads_since(last: dict | None):
    """Heads that may have changed since the last checkpoint: every stream of the days since
    the day before it (a transaction may commit just after midnight), all heads on the first."""
    heads = AuditStreamHead.objects.order_by("stream")
    if last is None:
        return heads
    since = clock.local_date(datetime.fromisoformat(last["at"])) - timedelta(days=1)
    days = (clock.today() - since).days
    if days > 31:
        return heads
    q = Q()
    for d in range(days + 2):  # up to tomorrow: clocks of web and worker may differ slightly
        q |= Q(stream__endswith=":" + (since + timedelta(days=d)).isoformat())
    return heads.filter(q)


def write() -> dict | None:
    """Append one checkpoint of the streams that changed since the last one (all streams on the
    first). Serialised by a lock file; returns the line written, or None when nothing changed."""
    path = directory()
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    lock_path = Path(settings.VAR_DIR) / "audit-checkpoint.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        recent = read(_files(path)[-RECENT_FILES:])
        last = recent.lines[max(recent.lines)] if recent.lines else None
        known = recent.latest()
        changed = {
            h.stream: [h.seq, h.hash]
            for h in _heads_since(last).only("stream", "seq", "hash").iterator(chunk_size=5000)
            if known.get(h.stream) != (h.seq, h.hash)
        }
        if last is not None and not changed:
            return None
        now = timezone.now()
        line = {
            "n": int(last["n"]) + 1 if last else 1,
            "at": now.isoformat(),
            "prev": last.get("mac", "") if last else GENESIS,
            "streams": changed,
        }
        line["mac"] = line_mac(line)
        target = path / f"checkpoints-{now.astimezone(clock.UTC).date().isoformat()}.jsonl"
        fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (audit.canonical(line) + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)
    try:  # after the file: a number the database knows must be in the files
        with transaction.atomic():
            AuditCheckpoint.objects.create(n=line["n"], at=now, mac=line["mac"])
    except IntegrityError:
        log.error("audit checkpoint %s already recorded in the database", line["n"])
    return line
