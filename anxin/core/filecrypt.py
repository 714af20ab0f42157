"""Uploaded files encrypted at rest (LAW 20): report evidence and case evidence are as
sensitive as the report text, so the files under MEDIA_ROOT are ciphertext too.

Format (streamed, so a 30 MB video never sits in memory whole)::

    MAGIC | u16 length | wrapped file key | 8-byte nonce prefix | chunk | chunk | ...

Each file has its own random 256-bit key (the *file key*), wrapped with the field keys of
``ANXIN_FIELD_KEYS`` (``core.crypto``: the first key encrypts, every key decrypts). The body is
AES-256-GCM in chunks of 64 KiB; chunk *i* uses the nonce ``prefix || i`` and the additional data
marks the last chunk, so reordered, dropped or truncated chunks fail to decrypt. Rotating the
field keys only re-wraps the file key (:func:`rekey`), the body stays as it is.

Files written before encryption (no MAGIC) are still read as they are, and :func:`rekey`
converts them; ``manage.py rotate_keys`` does that for every stored file.
"""

from __future__ import annotations

import io
import os
import struct
import tempfile
from collections.abc import Iterator

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.files.base import File

from anxin.core import crypto

MAGIC = b"ANXENC1\n"
CHUNK = 64 * 1024
_TAG = 16
_SPOOL = 8 * 1024 * 1024  # temporary copies stay in memory up to this size, then go to disk
_LAST, _MORE = b"\x01", b"\x00"


class Damaged(ValueError):
    """An encrypted file whose header or chunks do not verify (or no configured key opens it)."""


def _nonce(prefix: bytes, i: int) -> bytes:
    return prefix + struct.pack(">I", i)


def _header(wrapped: bytes, prefix: bytes) -> bytes:
    return MAGIC + struct.pack(">H", len(wrapped)) + wrapped + prefix


def _read_header(fh) -> tuple[bytes, bytes, int]:
    """(wrapped key, nonce prefix, header length) of a file positioned after MAGIC."""
    raw = fh.read(2)
    if len(raw) < 2:
        raise Damaged("truncated header")
    (n,) = struct.unpack(">H", raw)
    wrapped = fh.read(n)
    prefix = fh.read(8)
    if len(wrapped) < n or len(prefix) < 8:
        raise Damaged("truncated header")
    return wrapped, prefix, len(MAGIC) + 2 + n + 8


def is_encrypted(fh) -> bool:
    """Whether the open file starts with the encryption header; leaves it at the start."""
    fh.seek(0)
    head = fh.read(len(MAGIC))
    fh.seek(0)
    return head == MAGIC


def _chunks(fh, size: int) -> Iterator[tuple[bytes, bool]]:
    """(block, is_last) of ``fh`` read ``size`` bytes at a time; an empty file is one empty
    last block."""
    block = fh.read(size)
    while True:
        nxt = fh.read(size)
        yield block, not nxt
        if not nxt:
            return
        block = nxt


def _encrypt_body(src, out, key: bytes, prefix: bytes) -> None:
    aes = AESGCM(key)
    for i, (block, last) in enumerate(_chunks(src, CHUNK)):
        out.write(aes.encrypt(_nonce(prefix, i), block, _LAST if last else _MORE))


def encrypt_stream(src, out) -> None:
    """Write ``src`` (a binary file, read from where it is) encrypted to ``out``."""
    key = AESGCM.generate_key(bit_length=256)
    prefix = os.urandom(8)
    out.write(_header(crypto.wrap(key), prefix))
    _encrypt_body(src, out, key, prefix)


def encrypted_file(src) -> File:
    """An encrypted temporary copy of ``src`` (from its start), ready for ``storage.save``."""
    out = tempfile.SpooledTemporaryFile(max_size=_SPOOL)  # noqa: SIM115 — handed to the caller
    src.seek(0)
    encrypt_stream(src, out)
    out.seek(0)
    return File(out)


def iter_plain(fh) -> Iterator[bytes]:
    """The plaintext of an open stored file, chunk by chunk: decrypted when it carries the
    header, as it is when it was stored before encryption. The header is checked at once:
    :class:`Damaged` when no configured key opens the file."""
    fh.seek(0)
    if fh.read(len(MAGIC)) != MAGIC:
        fh.seek(0)
        return iter(lambda: fh.read(CHUNK), b"")
    wrapped, prefix, _n = _read_header(fh)
    try:
        aes = AESGCM(crypto.unwrap(wrapped))
    except ValueError as exc:
        raise Damaged("no configured key opens this file") from exc
    return _decrypt_chunks(fh, aes, prefix)


def _decrypt_chunks(fh, aes: AESGCM, prefix: bytes) -> Iterator[bytes]:
    for i, (block, last) in enumerate(_chunks(fh, CHUNK + _TAG)):
        try:
            yield aes.decrypt(_nonce(prefix, i), block, _LAST if last else _MORE)
        except Exception as exc:  # noqa: BLE001 — InvalidTag or a short block: tampered
            raise Damaged(f"chunk {i} does not verify") from exc


def plain_size(fh) -> int:
    """Size of the plaintext of an open stored file, from the file size alone."""
    fh.seek(0, io.SEEK_END)
    total = fh.tell()
    if not is_encrypted(fh):
        return total
    fh.seek(len(MAGIC))
    _w, _p, header = _read_header(fh)
    fh.seek(0)
    body = total - header
    full, rest = divmod(body, CHUNK + _TAG)
    return full * CHUNK + max(rest - _TAG, 0)


class PlainReader(io.RawIOBase):
    """A read-only file object over the plaintext of a stored file (for ``FileResponse``):
    nothing is decrypted to disk and at most one chunk is held in memory."""

    def __init__(self, fh):
        super().__init__()
        self._fh = fh
        self._size = plain_size(fh)
        self._it = iter_plain(fh)
        self._buf = b""

    @property
    def size(self) -> int:
        return self._size

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        while not self._buf:
            try:
                self._buf = next(self._it)
            except StopIteration:
                return 0
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n

    def close(self) -> None:
        if not self.closed:
            self._fh.close()
        super().close()


def open_plain(field_file) -> PlainReader:
    """Open a stored upload (a ``FieldFile``) for reading its plaintext. Raises ``OSError``
    when the file is missing, :class:`Damaged` when it cannot be decrypted."""
    fh = field_file.open("rb")
    try:
        return PlainReader(fh)
    except Damaged:
        fh.close()
        raise


def read_plain(field_file) -> bytes:
    """The whole plaintext of a stored upload (small files and tests)."""
    with field_file.open("rb") as fh:
        return b"".join(iter_plain(fh))


def rekey(path: str) -> str:
    """Bring one stored file under the first field key, in place (atomic rename, mode 0600):
    a plain file is encrypted, a file wrapped with an older key gets its file key re-wrapped.
    Returns ``"encrypted"``, ``"rewrapped"`` or ``"current"`` (nothing written)."""
    with open(path, "rb") as fh:
        if fh.read(len(MAGIC)) == MAGIC:
            wrapped, prefix, header = _read_header(fh)
            if crypto.is_current(wrapped):
                return "current"
            try:
                new_header = _header(crypto.rewrap(wrapped), prefix)
            except ValueError as exc:
                raise Damaged("no configured key opens this file") from exc
            outcome = "rewrapped"
            fh.seek(header)

            def write(out):
                out.write(new_header)
                while block := fh.read(CHUNK):
                    out.write(block)
        else:
            outcome = "encrypted"
            fh.seek(0)

            def write(out):
                encrypt_stream(fh, out)

        folder = os.path.dirname(path)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".rekey-")  # created with mode 0600
        try:
            with os.fdopen(fd, "wb") as out:
                write(out)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    return outcome
