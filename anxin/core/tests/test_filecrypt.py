"""Uploads encrypted at rest (issue 9): the stored file is ciphertext, readable only through the
field keys, streamed back in chunks; tampering and truncation are detected; files stored before
encryption stay readable and ``rekey`` converts them; rotation re-wraps the file key."""

from __future__ import annotations

import io
import os
import stat

import pytest

from anxin.core import filecrypt

OLD, NEW = "old-field-key-for-tests", "new-field-key-for-tests"


@pytest.fixture(autouse=True)
def keys(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    return settings


def _encrypt(data: bytes) -> bytes:
    out = io.BytesIO()
    filecrypt.encrypt_stream(io.BytesIO(data), out)
    return out.getvalue()


def _plain(stored: bytes) -> bytes:
    return b"".join(filecrypt.iter_plain(io.BytesIO(stored)))


@pytest.mark.parametrize(
    "size", [0, 1, filecrypt.CHUNK - 1, filecrypt.CHUNK, filecrypt.CHUNK + 1, 3 * filecrypt.CHUNK + 7]
)
def test_round_trip_in_chunks_with_the_size_known_from_the_file(size):
    data = os.urandom(size)
    stored = _encrypt(data)
    assert stored.startswith(filecrypt.MAGIC) and (size < 16 or data[:16] not in stored)
    assert _plain(stored) == data
    assert filecrypt.plain_size(io.BytesIO(stored)) == size
    reader = filecrypt.PlainReader(io.BytesIO(stored))
    assert reader.size == size and reader.read() == data


def test_a_changed_byte_a_dropped_chunk_or_a_cut_file_is_detected():
    data = os.urandom(2 * filecrypt.CHUNK + 100)
    stored = bytearray(_encrypt(data))
    flipped = bytes(stored[:-50]) + bytes([stored[-50] ^ 1]) + bytes(stored[-49:])
    block = filecrypt.CHUNK + 16
    header = len(stored) - 2 * block - (100 + 16)
    dropped = bytes(stored[: header + block]) + bytes(stored[header + 2 * block :])  # middle chunk gone
    cut = bytes(stored[: header + 2 * block])  # the last chunk gone: the new last is not marked last
    for bad in (flipped, dropped, cut):
        with pytest.raises(filecrypt.Damaged):
            _plain(bad)


def test_a_file_no_configured_key_opens_is_refused_at_once(keys):
    stored = _encrypt(b"evidence")
    keys.FIELD_ENCRYPTION_KEYS = [NEW]
    with pytest.raises(filecrypt.Damaged):
        filecrypt.PlainReader(io.BytesIO(stored))


def test_a_file_stored_before_encryption_is_read_as_it_is():
    legacy = b"\xff\xd8\xff\xe0 a JPEG stored in clear before issue 9"
    assert _plain(legacy) == legacy and filecrypt.plain_size(io.BytesIO(legacy)) == len(legacy)


def test_rekey_encrypts_a_plain_file_rewraps_an_old_key_and_is_idempotent(keys, tmp_path):
    path = tmp_path / "x.jpg"
    path.write_bytes(b"plain evidence bytes")
    path.chmod(0o644)
    assert filecrypt.rekey(str(path)) == "encrypted"
    assert path.read_bytes().startswith(filecrypt.MAGIC)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert filecrypt.rekey(str(path)) == "current"
    before = path.read_bytes()
    keys.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    assert filecrypt.rekey(str(path)) == "rewrapped"
    after = path.read_bytes()
    assert after != before and len(after) == len(before)  # only the wrapped key changed
    assert filecrypt.rekey(str(path)) == "current"
    keys.FIELD_ENCRYPTION_KEYS = [NEW]  # the old key is gone: still readable
    assert _plain(after) == b"plain evidence bytes"
    assert [p.name for p in tmp_path.iterdir()] == ["x.jpg"]  # no temporary file left
