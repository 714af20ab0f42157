"""Follow-up codes and other one-time tokens of the public pages.

A follow-up code is 16 characters of Crockford's base32 (80 bits of entropy), shown once in
groups of four (``K7QM-2XRP-9HTD-W3FN``) so a child can copy it onto paper. Only
HMAC-SHA256(pepper, code) is stored. Lookup goes through that keyed hash, and the stored hash
is then compared with ``hmac.compare_digest``; a miss still does one comparison against a
dummy, so hits and misses cost the same.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from anxin.intake import conf

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CODE_LENGTH = 16
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_DUMMY = "0" * 64


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def display(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise(raw: str) -> str | None:
    """The canonical form of what a reporter typed, or None when it cannot be a code."""
    cleaned = "".join(ch for ch in (raw or "").upper() if ch not in " -_\t\r\n").translate(_CONFUSABLE)
    if len(cleaned) != CODE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def code_hash(code: str) -> str:
    return hmac.new(conf.followup_pepper(), code.encode(), hashlib.sha256).hexdigest()


def matches(stored_hash: str | None, candidate_hash: str) -> bool:
    """Constant-time comparison; a missing row is compared against a dummy so a miss takes
    as long as a hit."""
    return hmac.compare_digest(stored_hash or _DUMMY, candidate_hash) and stored_hash is not None


def new_token() -> str:
    """A one-time token (form submissions, the emergency status link)."""
    return secrets.token_urlsafe(18)


def token_hash(token: str) -> str:
    return hashlib.sha256(("anxin.intake:" + token).encode()).hexdigest()
