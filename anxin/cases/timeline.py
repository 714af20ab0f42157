"""The case timeline (R-CASE-10; LAW 8; GUIDE principle 3): one hash-chained stream per case.

:func:`append` must run inside the transaction that holds the case row locked
(``select_for_update``): the case row carries the stream's head, so two writers of the same
case queue on that row and writers of different cases never wait on each other."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from anxin.core import clock

HASHED_FIELDS = (
    "case_id",
    "seq",
    "at",
    "county_id",
    "school_id",
    "actor_id",
    "actor",
    "kind",
    "summary",
    "data",
    "corrects_id",
)


def canonical(values: dict) -> str:
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def row_for_hash(ev) -> dict:
    get = ev.get if isinstance(ev, dict) else (lambda k: getattr(ev, k))
    row = {k: get(k) for k in HASHED_FIELDS}
    at = row["at"]
    if isinstance(at, datetime):
        row["at"] = at.astimezone(clock.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    row["data"] = json.loads(canonical(row["data"] or {}))
    return row


def compute_hash(prev_hash: str, row: dict) -> str:
    return hashlib.sha256((prev_hash + canonical(row)).encode()).hexdigest()


def append(case, kind: str, summary: str, *, by=None, data: dict | None = None, corrects=None):
    """Append one event to ``case``'s stream and move the head kept on the (locked) case row.
    The caller saves ``timeline_seq``/``timeline_hash`` with the case (services do)."""
    from anxin.cases.models import CaseEvent

    values = {
        "case_id": case.pk,
        "seq": case.timeline_seq + 1,
        "at": clock.now(),  # business time (clock.as_of in the demo loader)
        "county_id": case.county_id,
        "school_id": case.school_id,
        "actor_id": getattr(by, "pk", None),
        "actor": (by.real_name or by.username)[:150] if by is not None else "system",
        "kind": kind,
        "summary": summary[:300],
        "data": json.loads(canonical(data or {})),
        "corrects_id": getattr(corrects, "pk", corrects),
    }
    digest = compute_hash(case.timeline_hash, row_for_hash(values))
    event = CaseEvent.objects.create(prev_hash=case.timeline_hash, hash=digest, **values)
    case.timeline_seq = values["seq"]
    case.timeline_hash = digest
    return event
