"""Encryption at rest for sensitive personal data (LAW 20; PIPL 28, 51) and blind indexes
so encrypted values can still be matched for uniqueness without decrypting."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


def _fernet_key(raw: str) -> bytes:
    # Accept any secret string: derive a 32-byte Fernet key from it.
    return base64.urlsafe_b64encode(hashlib.sha256(raw.encode()).digest())


@lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(k)) for k in keys])


def cipher() -> MultiFernet:
    return _cipher(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return cipher().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return cipher().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def _first() -> MultiFernet:
    return _cipher((settings.FIELD_ENCRYPTION_KEYS[0],))


def is_current(token: str | bytes) -> bool:
    """Whether a token is encrypted with the first (current) key: a rotation leaves it alone."""
    if isinstance(token, str):
        token = token.encode()
    try:
        _first().decrypt(token)
    except InvalidToken:
        return False
    return True


def rotate(token: str) -> str:
    """The same plaintext encrypted with the first key; raises ``InvalidToken`` when no
    configured key opens it."""
    return cipher().rotate(token.encode()).decode()


def wrap(key: bytes) -> bytes:
    """A file key (``core.filecrypt``) encrypted with the first field key."""
    return cipher().encrypt(key)


def unwrap(wrapped: bytes) -> bytes:
    try:
        return cipher().decrypt(wrapped)
    except InvalidToken as exc:
        raise ValueError("no configured key opens this file key") from exc


def rewrap(wrapped: bytes) -> bytes:
    try:
        return cipher().rotate(wrapped)
    except InvalidToken as exc:
        raise ValueError("no configured key opens this file key") from exc


def _blind(value: str, purpose: str, secret: str) -> str:
    key = hashlib.sha256(("blind:" + purpose + ":" + secret).encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def seal(value):
    """A JSON-safe encrypted form of a text kept inside a JSON document (a timeline's or a
    report's before/after): ``{"encrypted": token}``; empty values stay as they are."""
    if value in (None, ""):
        return value
    return {"encrypted": encrypt(str(value))}


def open_sealed(value):
    """The text of a :func:`seal` value (other values unchanged)."""
    if isinstance(value, dict) and set(value) == {"encrypted"}:
        return decrypt(value["encrypted"])
    return value


def blind_index(value: str, purpose: str) -> str:
    """Keyed hash of a normalised value: equal inputs give equal indexes; without the key
    the index reveals nothing (an ID number's 10^17 space is too small for a plain hash).
    Written with the first key; look rows up with :func:`blind_indexes`."""
    return _blind(value, purpose, settings.FIELD_ENCRYPTION_KEYS[0])


def blind_indexes(value: str, purpose: str) -> list[str]:
    """The blind index of ``value`` under every configured key, the current one first: during
    a key rotation (``ANXIN_FIELD_KEYS=new,old``) rows indexed with the old key are still
    found until ``manage.py rotate_keys`` has rebuilt them."""
    out: list[str] = []
    for secret in settings.FIELD_ENCRYPTION_KEYS:
        index = _blind(value, purpose, secret)
        if index not in out:
            out.append(index)
    return out


# Models with a blind index, for ``rotate_keys``: (model label, index field, function of a
# model instance giving the index under the current key). Filled in by the models' modules.
BLIND_INDEXES: list[tuple[str, str, object]] = []


def register_blind_index(label: str, field: str, compute) -> None:
    if (label, field) not in [(m, f) for m, f, _c in BLIND_INDEXES]:
        BLIND_INDEXES.append((label, field, compute))


class EncryptedTextField(models.TextField):
    """A text field stored encrypted (Fernet). Not searchable; pair it with a blind index."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


def encrypted_fields(model, prefix: str = "") -> tuple[str, ...]:
    """The encrypted fields of ``model``, named through ``prefix`` (``"student__"`` for a list of
    care plans): what a page that does not show them leaves unread (``defer``), since each costs
    a decryption per row."""
    return tuple(prefix + f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField))
