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
    the index reveals nothing (an ID number's 10^17 space is too small for a plain hash)."""
    key = hashlib.sha256(("blind:" + purpose + ":" + settings.FIELD_ENCRYPTION_KEYS[0]).encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


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
