"""Phone videos keep their pictures but lose where and on what they were taken (issue 4 item 2:
nothing identifying is stored with an anonymous report)."""

from __future__ import annotations

import io
import struct

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from anxin.core import filecrypt
from anxin.intake import video
from anxin.intake.models import ReportAttachment
from anxin.intake.video import XMP_UUID

LOCATION = b"+39.9042+116.4074/"
FRAMES = b"FRAMEDATA" * 200


def box(kind: bytes, payload: bytes = b"", large: bool = False) -> bytes:
    if large:  # 64-bit size form
        return struct.pack(">I4sQ", 1, kind, 16 + len(payload)) + payload
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def phone_video(large_mdat: bool = False) -> bytes:
    """A minimal MP4 laid out as phones write it: ftyp, moov (with Android's ©xyz location,
    Apple's keys/ilst metadata, a per-track model name), an XMP uuid box, then the frames."""
    stbl = box(b"stbl", box(b"stco", struct.pack(">II", 0, 1) + struct.pack(">I", 0)))
    trak = box(
        b"trak",
        box(b"tkhd", bytes(84))
        + box(b"udta", box(b"\xa9mod", b"PhoneModel-XYZ"))
        + box(b"mdia", box(b"mdhd", bytes(24)) + box(b"minf", stbl)),
    )
    moov = box(
        b"moov",
        box(b"mvhd", bytes(100))
        + box(b"udta", box(b"\xa9xyz", b"\x00\x12\x15\xc7" + LOCATION) + box(b"loci", b"Beijing"))
        + box(
            b"meta",
            bytes(4) + box(b"keys", b"mdtacom.apple.quicktime.location.ISO6709") + box(b"ilst", LOCATION),
        )
        + trak,
    )
    xmp = box(b"uuid", XMP_UUID + b"<x:xmpmeta>GPSLatitude 39.9</x:xmpmeta>")
    return (
        box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41")
        + moov
        + xmp
        + box(b"mdat", FRAMES, large=large_mdat)
    )


def kinds(data: bytes, start=0, end=None, prefix=""):
    """Every box path in the file (walking the containers the stripper walks)."""
    fh = io.BytesIO(data)
    out = []
    for offset, header, size, kind in video._boxes(fh, start, len(data) if end is None else end):
        name = prefix + kind.decode("latin-1")
        out.append(name)
        if kind in video.CONTAINERS:
            out += kinds(data, offset + header, offset + size, name + "/")
    return out


@pytest.mark.parametrize("large_mdat", [False, True])
def test_metadata_boxes_are_blanked_in_place_and_the_frames_kept(large_mdat):
    data = phone_video(large_mdat)
    out, blanked = video.strip_metadata(io.BytesIO(data))
    stripped = out.read()
    assert blanked == 4  # moov/udta, moov/meta, trak/udta, the XMP uuid
    assert len(stripped) == len(data)  # same size: every offset into mdat still points right
    for secret in (LOCATION, b"PhoneModel-XYZ", b"GPSLatitude", b"apple.quicktime.location", b"Beijing"):
        assert secret in data and secret not in stripped
    assert stripped[data.index(FRAMES) :].startswith(FRAMES)
    assert kinds(stripped) == [
        "ftyp",
        "moov",
        "moov/mvhd",
        "moov/free",
        "moov/free",
        "moov/trak",
        "moov/trak/tkhd",
        "moov/trak/free",
        "moov/trak/mdia",
        "moov/trak/mdia/mdhd",
        "moov/trak/mdia/minf",
        "moov/trak/mdia/minf/stbl",
        "free",
        "mdat",
    ]


@pytest.mark.parametrize(
    "data",
    [
        phone_video()[:-50],  # cut off: the last box overruns the file
        box(b"ftyp", b"isom\x00\x00\x02\x00isom") + box(b"mdat", FRAMES),  # no moov
        box(b"ftyp", b"isom\x00\x00\x02\x00isom") + struct.pack(">I4s", 4, b"moov"),  # size below its header
    ],
    ids=["truncated", "no-moov", "bad-size"],
)
def test_a_malformed_video_is_refused(data):
    with pytest.raises(video.Malformed):
        video.strip_metadata(io.BytesIO(data))


def test_a_submitted_video_is_stored_without_its_location(world, submit):
    r = submit(world.school_a1, files=[SimpleUploadedFile("VID_0001.mp4", phone_video(), "video/mp4")])
    assert r.status_code == 201
    att = ReportAttachment.objects.get()
    assert att.kind == "video" and att.mime == "video/mp4"
    stored = filecrypt.read_plain(att.file)  # stored encrypted
    assert LOCATION not in stored and b"PhoneModel-XYZ" not in stored and FRAMES in stored
    assert att.size == len(stored) and "VID_0001" not in att.file.name


def test_a_broken_video_is_refused_with_a_reason_and_nothing_stored(world, submit):
    from anxin.intake.models import Report

    r = submit(world.school_a1, files=[SimpleUploadedFile("v.mp4", phone_video()[:-50], "video/mp4")])
    assert r.status_code == 400
    assert "第 1 个文件已损坏或不是有效的视频" in r.content.decode()
    assert Report.objects.count() == 0


def _heic_with_exif_and_rotation() -> bytes:
    """An iPhone-style HEIC photo: 64×32 pixels stored sideways with an Orientation tag, a
    phone model and a GPS position in its EXIF."""
    from PIL import Image

    img = Image.new("RGB", (32, 64), (200, 10, 10))
    exif = Image.Exif()
    exif[0x0110] = "PhoneModel-XYZ"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to show
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 15.0)}  # GPS
    out = io.BytesIO()
    img.save(out, format="HEIF", exif=exif.tobytes())
    return out.getvalue()


def test_an_iphone_heic_photo_is_kept_as_an_upright_jpeg_without_its_metadata(world, submit):
    from PIL import Image

    data = _heic_with_exif_and_rotation()
    assert b"PhoneModel-XYZ" in data
    r = submit(world.school_a1, files=[SimpleUploadedFile("IMG_0001.HEIC", data, "image/heic")])
    assert r.status_code == 201
    att = ReportAttachment.objects.get()
    assert att.kind == "image" and att.mime == "image/jpeg" and att.file.name.endswith(".jpg")
    stored = filecrypt.read_plain(att.file)  # stored encrypted
    img = Image.open(io.BytesIO(stored))
    assert img.format == "JPEG" and not img.getexif() and b"PhoneModel-XYZ" not in stored
    assert img.size == (64, 32)  # turned upright before the orientation tag was dropped


def test_a_file_of_countless_tiny_boxes_is_refused_quickly():
    """A crafted file would otherwise cost seconds of CPU per upload (five per report): the
    walk stops after MAX_BOXES boxes in all, however they nest."""
    data = phone_video() + box(b"free") * (video.MAX_BOXES + 1)
    with pytest.raises(video.Malformed, match="too many boxes"):
        video.strip_metadata(io.BytesIO(data))
    # nested: many tracks, each with many boxes, none over the cap on its own
    trak = box(b"trak", box(b"udta") * 200)
    moov = box(b"moov", trak * (video.MAX_BOXES // 200 + 1))
    with pytest.raises(video.Malformed, match="too many boxes"):
        video.strip_metadata(io.BytesIO(box(b"ftyp", b"isom\x00\x00\x02\x00isom") + moov))
