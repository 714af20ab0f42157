"""Hostile uploads (issue 9): files that are tiny on the wire but enormous once decoded are
refused from their header or reduced to one frame, before a worker's memory is spent on them."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import GifImagePlugin, Image

from anxin.core import filecrypt
from anxin.intake import uploads, video
from anxin.intake.models import ReportAttachment
from anxin.intake.tests.test_video import box, phone_video


def hostile_gif(frames: int, width: int = 4000, height: int = 4000) -> bytes:
    """An animated GIF of ``frames`` one-pixel frames on a ``width``×``height`` canvas: a few
    bytes a frame on the wire, a whole canvas a frame once decoded (the 315-byte attack file)."""
    out = bytearray(b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0))
    out += b"\x00\x00\x00\xff\xff\xff"  # a global colour table of two colours
    out += b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"  # loop forever
    for _ in range(frames):
        out += b"\x21\xf9\x04\x00\x0a\x00\x00\x00"  # 0.1 s a frame
        out += b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0)  # a 1×1 frame at the corner
        out += b"\x02\x02\x44\x01\x00"  # LZW: clear, colour 0, end
    return bytes(out + b"\x3b")


def png_bomb(width: int = 20000, height: int = 20000) -> bytes:
    """A 1-bit PNG of ``width``×``height`` white pixels (400 megapixels): about 50 KB."""
    row = b"\x00" + bytes((width + 7) // 8)
    z = zlib.compressobj(9)
    idat = b"".join(z.compress(row) for _ in range(height)) + z.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def jpeg_bomb() -> bytes:
    """A small real JPEG whose frame header claims 60000×60000 pixels."""
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 20, 30)).save(buf, format="JPEG")
    data = bytearray(buf.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 60000, 60000)
    return bytes(data)


def video_claiming(seconds: int, version: int = 0, track_seconds: int = 1) -> bytes:
    """A phone-style MP4 whose movie header claims ``seconds`` (timescale 1000)."""
    if version == 1:
        mvhd = struct.pack(">B3xQQIQ", 1, 0, 0, 1000, seconds * 1000) + bytes(80)
    else:
        mvhd = struct.pack(">B3xIIII", 0, 0, 0, 1000, seconds * 1000) + bytes(80)
    mdhd = struct.pack(">B3xIIII", 0, 0, 0, 1000, track_seconds * 1000) + bytes(4)
    trak = box(b"trak", box(b"tkhd", bytes(84)) + box(b"mdia", box(b"mdhd", mdhd)))
    moov = box(b"moov", box(b"mvhd", mvhd) + trak)
    return box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41") + moov + box(b"mdat", b"FRAMEDATA" * 50)


def _upload(name: str, data: bytes, mime: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, mime)


@pytest.fixture
def frames_read(monkeypatch):
    """Which GIF frames Pillow was asked to go to (the first is read on open)."""
    seen: list[int] = []
    original = GifImagePlugin.GifImageFile._seek

    def spy(self, frame, update_image=True):
        seen.append(frame)
        return original(self, frame, update_image)

    monkeypatch.setattr(GifImagePlugin.GifImageFile, "_seek", spy)
    return seen


def test_the_attack_gif_is_small_and_pillow_sees_its_frames():
    data = hostile_gif(12)
    assert len(data) < 400
    img = Image.open(io.BytesIO(data))
    assert img.size == (4000, 4000) and img.n_frames == 12


@pytest.mark.parametrize("frames", [12, 2000])
def test_an_animated_gif_is_kept_as_its_first_frame_and_later_frames_are_never_decoded(frames, frames_read):
    data = hostile_gif(frames)
    (item,) = uploads.prepare([_upload("a.gif", data, "image/gif")])
    assert frames_read and max(frames_read) == 0  # no frame after the first was read, let alone decoded
    out = Image.open(item.content)
    assert out.format == "GIF" and out.size == (4000, 4000)
    assert getattr(out, "n_frames", 1) == 1  # a still: one canvas, whatever the frame count
    assert item.size < 200_000


def test_an_animated_gif_sent_as_a_report_is_stored_as_one_frame(world, submit):
    r = submit(world.school_a1, files=[_upload("sticker.gif", hostile_gif(2000), "image/gif")])
    assert r.status_code == 201
    att = ReportAttachment.objects.get()
    stored = filecrypt.read_plain(att.file)
    assert getattr(Image.open(io.BytesIO(stored)), "n_frames", 1) == 1


def test_a_small_animated_gif_keeps_its_first_frame_pixels():
    frames = [Image.new("P", (40, 30), i) for i in range(3)]
    for i, f in enumerate(frames):
        f.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0] + [0] * 759)
        f.putpixel((i, i), 1)
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    (item,) = uploads.prepare([_upload("a.gif", buf.getvalue(), "image/gif")])
    out = Image.open(item.content).convert("RGB")
    assert out.getpixel((0, 0)) == (255, 0, 0) and out.getpixel((1, 1)) == (0, 0, 0)


@pytest.mark.parametrize("make,mime", [(png_bomb, "image/png"), (jpeg_bomb, "image/jpeg")])
def test_a_decompression_bomb_is_refused_from_its_header(make, mime, monkeypatch):
    data = make()
    assert len(data) < 100_000
    loads: list[int] = []
    monkeypatch.setattr(Image.Image, "load", lambda self: loads.append(1))
    with pytest.raises(ValidationError, match="图片尺寸过大"):
        uploads.prepare([_upload("a", data, mime)])
    assert loads == []  # refused before a single pixel was decoded


def test_a_decompression_bomb_on_the_public_form_is_refused_with_a_reason(world, submit):
    r = submit(world.school_a1, files=[_upload("bomb.png", png_bomb(), "image/png")])
    assert r.status_code == 400 and "图片尺寸过大" in r.content.decode()
    assert not ReportAttachment.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        video_claiming(3_000_000),  # 35 days, 32-bit header
        video_claiming(10**9, version=1),  # 31 years, 64-bit header
        video_claiming(30, track_seconds=10**6),  # a short movie with a huge track
        video_claiming(0xFFFFFFFF // 1000),  # "unknown" (all ones) counts as too long
    ],
    ids=["v0", "v1", "track", "all-ones"],
)
def test_a_video_whose_header_claims_a_huge_duration_is_refused(data):
    with pytest.raises(ValidationError, match="视频太长"):
        uploads.prepare([_upload("v.mp4", data, "video/mp4")])


def test_a_short_video_passes_and_the_limit_is_a_setting(settings):
    assert video.duration_seconds(io.BytesIO(video_claiming(30))) == 30
    (item,) = uploads.prepare([_upload("v.mp4", video_claiming(590), "video/mp4")])
    assert item.kind == "video"
    settings.ANXIN_INTAKE_MAX_VIDEO_SECONDS = 60
    with pytest.raises(ValidationError, match="不能超过 1 分钟"):
        uploads.prepare([_upload("v.mp4", video_claiming(90), "video/mp4")])
    # a header without a time scale states no duration: the size limit still applies
    assert video.duration_seconds(io.BytesIO(phone_video())) is None


def test_a_huge_duration_on_the_public_form_is_refused_with_a_reason(world, submit):
    r = submit(world.school_a1, files=[_upload("v.mp4", video_claiming(3_000_000), "video/mp4")])
    assert r.status_code == 400 and "第 1 个视频太长" in r.content.decode()
    assert not ReportAttachment.objects.exists()
