"""What the automatic write history may keep of a field's value (LAW 20, 22).

Free text and sensitive fields — narratives, summaries, notes, descriptions, statements, every
encrypted field, and the fields a model lists as ``masked`` — are never copied into the audit
trail: an entry records that the field changed and a keyed hash (HMAC-SHA256 with a key
derived from the field encryption key) of the old and the new value, so an auditor can tell
whether two entries saw the same value without the trail ever holding the content. A plain
sha256 of a short text could be reversed by trying candidates; the keyed hash cannot without
the key. Short structured fields (states, dates, numbers, foreign keys, choices) stay as they
are.
"""

from __future__ import annotations

import json

from django.db import models

from anxin.core import crypto

PREFIX = "hmac:"

# Free-text CharFields that carry narrative or personal content, per model (TextFields and
# encrypted fields are found on their own, see :func:`sensitive_fields`).
EXTRA: dict[str, frozenset[str]] = {
    "cases.bullyingcase": frozenset({"place"}),
    "cases.bureaureport": frozenset({"place", "contact", "diff"}),
    "cases.caseparty": frozenset({"outsider_note"}),
    "supervision.referral": frozenset({"child", "request"}),  # a child's name and class, what is asked
}


def sensitive_fields(model) -> frozenset[str]:
    """The fields of ``model`` whose values the history keeps only as keyed hashes: every
    TextField (encrypted ones included) and :data:`EXTRA`."""
    names = set()
    for m in (model, *model._meta.get_parent_list()):
        names |= {f.name for f in m._meta.local_fields if isinstance(f, models.TextField)}
    return frozenset(names) | EXTRA.get(model._meta.label_lower, frozenset())


def keyed_hash(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)
    return PREFIX + crypto.blind_index(text, "audit-history")[:32]


def redact(values: dict, sensitive: frozenset[str]) -> dict:
    """``values`` with each sensitive, non-empty value replaced by its keyed hash."""
    return {k: (keyed_hash(v) if k in sensitive and v not in (None, "") else v) for k, v in values.items()}


# --- redacting expired entries (LAW 22 retention): a chained redaction record, never a deletion --

REDACTED_KEY = "_redacted"
# entries the verifier itself reads (stream announcements, seals, redaction records, checks): kept
STRUCTURAL = frozenset({"stream.open", "audit.seal", "audit.redact", "audit.verify"})
CHUNK = 1000  # entries listed per redaction record


def redaction_mac(stream: str, entries: list) -> str:
    """The signature of a redaction record (ANXIN_AUDIT_KEY, which the database never holds)."""
    from anxin.core import audit

    return audit.sign("redact", stream, audit.canonical(entries))


def redacted_data(digest: str, record_ref: str) -> dict:
    return {REDACTED_KEY: digest, "by": record_ref}


def redact_events(qs, *, reason: str) -> int:
    """Redact the audit entries of ``qs``: for each stream, an ``audit.redact`` record listing
    each entry's position, hash and the keyed hash of its content (signed) is appended to the
    entry's county stream, then each entry's ``data`` is replaced by that keyed hash. The entry
    keeps its place, its own hash and its link to the next one, so ``verify_audit`` still walks
    the chain: a redacted entry is accepted only where a signed redaction record names it with
    the same hash and content hash. Returns the number of entries redacted."""
    from django.db import transaction

    from anxin.core import audit
    from anxin.core.models import AuditEvent

    events = list(
        qs.exclude(action__in=STRUCTURAL)
        .exclude(data__has_key=REDACTED_KEY)
        .order_by("stream", "seq")
        .only("pk", "stream", "seq", "hash", "data", "county_id")
    )
    by_stream: dict[str, list] = {}
    for ev in events:
        by_stream.setdefault(ev.stream, []).append(ev)
    done = 0
    with transaction.atomic():
        for stream, evs in by_stream.items():
            for i in range(0, len(evs), CHUNK):
                chunk = evs[i : i + CHUNK]
                digests = {ev.pk: keyed_hash(ev.data or {}) for ev in chunk}
                entries = [[ev.seq, ev.hash, digests[ev.pk]] for ev in chunk]
                record = audit.append(
                    "audit.redact",
                    county_id=chunk[0].county_id,
                    county_stream=True,
                    data={
                        "stream": stream,
                        "entries": entries,
                        "reason": reason,
                        "mac": redaction_mac(stream, entries),
                    },
                )
                ref = f"{record.stream}#{record.seq}"
                # on PostgreSQL the append-only trigger lets exactly this update through (core 0006)
                for ev in chunk:
                    AuditEvent.objects.filter(pk=ev.pk).update(data=redacted_data(digests[ev.pk], ref))
                done += len(chunk)
    return done


def redactions(records) -> tuple[dict[str, dict[int, tuple[str, str, str]]], list]:
    """From ``audit.redact`` records: {stream: {seq: (hash, content hash, record ref)}} and the
    records whose signature does not match (forged or rewritten)."""
    out: dict[str, dict[int, tuple[str, str, str]]] = {}
    bad = []
    for rec in records:
        data = rec.data or {}
        stream, entries = data.get("stream", ""), data.get("entries") or []
        if data.get("mac") != redaction_mac(stream, entries):
            bad.append(rec)
            continue
        ref = f"{rec.stream}#{rec.seq}"
        for seq, digest_hash, content in entries:
            out.setdefault(stream, {})[int(seq)] = (digest_hash, content, ref)
    return out, bad
