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
