"""Remove the metadata of phone videos without re-encoding them (issue 4: nothing identifying is
kept with an anonymous report).

Phones write where and on what a video was taken into boxes of the ISO base media file format
(MP4, MOV, 3GP, M4V): Android's ``©xyz`` location and the ``loci`` box in ``moov/udta``, Apple's
``com.apple.quicktime.location.ISO6709``, make and model in ``moov/meta``, XMP in a top-level
``uuid`` box. Each such box is turned into a ``free`` box of the same size with its content
zeroed: every offset in the file stays valid (the sample tables point into ``mdat`` by absolute
position), players skip ``free`` boxes, and the pictures and sound are untouched.

A file whose box structure does not add up is refused (the caller tells the reporter), so a
file that only looks like a video cannot pass with its metadata intact. WebM (Matroska)
recordings from browsers carry no location and are kept as they are.
"""

from __future__ import annotations

import shutil
import struct
import tempfile

from django.core.files.base import File

ISO_TYPES = {"video/mp4", "video/quicktime", "video/3gpp", "video/x-m4v"}
# boxes whose content is metadata, at any level walked below
METADATA_BOXES = {b"udta", b"meta", b"Xtra"}
# XMP packets live in a uuid box with this extended type
XMP_UUID = bytes.fromhex("be7acfcb97a942e89c71999491e3afac")
# containers that may hold metadata boxes (the sample tables below them are not walked)
CONTAINERS = {b"moov", b"trak", b"mdia", b"minf"}
_CHUNK = 1 << 16
# A phone video has a handful of top-level boxes (a few thousand when recorded in fragments) and
# a few dozen inside moov; a file of millions of tiny boxes is refused before it costs seconds.
# The cap counts every box the walk reads, at any depth.
MAX_BOXES = 20_000


class Malformed(ValueError):
    """The file is not a well-formed ISO media file."""


def _boxes(fh, start: int, end: int, budget: list[int] | None = None):
    """Yield (offset, header size, total size, type) of the boxes between start and end;
    ``budget`` (shared by a whole walk) caps how many boxes are read in all."""
    budget = budget if budget is not None else [MAX_BOXES]
    pos = start
    while pos < end:
        budget[0] -= 1
        if budget[0] < 0:
            raise Malformed("too many boxes")
        if end - pos < 8:
            raise Malformed("truncated box header")
        fh.seek(pos)
        size, kind = struct.unpack(">I4s", fh.read(8))
        header = 8
        if size == 1:
            raw = fh.read(8)
            if len(raw) < 8:
                raise Malformed("truncated large size")
            (size,) = struct.unpack(">Q", raw)
            header = 16
        elif size == 0:  # the box runs to the end of its parent
            size = end - pos
        if size < header or pos + size > end:
            raise Malformed(f"box {kind!r} at {pos} overruns its parent")
        yield pos, header, size, kind
        pos += size


def _blank(fh, offset: int, size: int) -> None:
    """Turn the box at ``offset`` into a ``free`` box of the same size, content zeroed."""
    fh.seek(offset)
    if size > 0xFFFFFFFF:  # pragma: no cover — a metadata box of 4 GB is not a phone video
        raise Malformed("metadata box too large")
    fh.write(struct.pack(">I4s", size, b"free"))
    left = size - 8
    zeros = bytes(min(left, _CHUNK))
    while left > 0:
        n = min(left, _CHUNK)
        fh.write(zeros[:n])
        left -= n


def _strip(fh, boxes: list, budget: list[int], depth: int = 0) -> int:
    blanked = 0
    for offset, header, size, kind in boxes:
        if kind in METADATA_BOXES:
            _blank(fh, offset, size)
            blanked += 1
        elif kind == b"uuid" and size >= header + 16:
            fh.seek(offset + header)
            if fh.read(16) == XMP_UUID:
                _blank(fh, offset, size)
                blanked += 1
        elif kind in CONTAINERS and depth < 6:
            inner = list(_boxes(fh, offset + header, offset + size, budget))
            blanked += _strip(fh, inner, budget, depth + 1)
    return blanked


def strip_metadata(upload) -> tuple[File, int]:
    """Copy an ISO media upload to a temporary file with its metadata boxes blanked. Returns
    the copy (same size as the upload) and how many boxes were blanked; raises
    :class:`Malformed` when the box structure does not add up or has no ``moov`` box."""
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 — handed on
    upload.seek(0)
    shutil.copyfileobj(upload, out, _CHUNK)
    end = out.tell()
    try:
        budget = [MAX_BOXES]  # for the whole file, however the boxes nest
        top = list(_boxes(out, 0, end, budget))
        if not any(kind == b"moov" for _o, _h, _s, kind in top):
            raise Malformed("no moov box")
        blanked = _strip(out, top, budget)
    except (Malformed, struct.error):
        out.close()
        raise
    out.seek(0)
    return File(out), blanked


def _header_duration(fh, offset: int, header: int, size: int) -> float | None:
    """Seconds claimed by an ``mvhd`` or ``mdhd`` box (version 0 or 1 layout); ``None`` for a
    zero time scale (no duration stated)."""
    fh.seek(offset + header)
    body = fh.read(min(size - header, 32))
    if len(body) < 4:
        raise Malformed("truncated duration box")
    if body[0] == 1:
        if len(body) < 32:
            raise Malformed("truncated duration box")
        timescale, duration = struct.unpack(">IQ", body[20:32])
    else:
        if len(body) < 20:
            raise Malformed("truncated duration box")
        timescale, duration = struct.unpack(">II", body[12:20])
    return duration / timescale if timescale else None


def duration_seconds(upload) -> float | None:
    """The longest duration the header of an ISO media file claims (the movie's ``mvhd`` and
    each track's ``mdhd``), read without decoding anything; ``None`` when it names none.
    Raises :class:`Malformed` like :func:`strip_metadata`."""
    upload.seek(0, 2)
    end = upload.tell()
    budget = [MAX_BOXES]
    found: list[float] = []

    def walk(start: int, stop: int, depth: int) -> None:
        for offset, header, size, kind in _boxes(upload, start, stop, budget):
            if kind in (b"mvhd", b"mdhd"):
                seconds = _header_duration(upload, offset, header, size)
                if seconds is not None:
                    found.append(seconds)
            elif kind in CONTAINERS and depth < 6:
                walk(offset + header, offset + size, depth + 1)

    try:
        walk(0, end, 0)
    except struct.error as exc:
        raise Malformed("bad box") from exc
    finally:
        upload.seek(0)
    return max(found) if found else None
