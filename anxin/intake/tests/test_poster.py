"""The poster (R-ORG-5): a printable A4 PDF with the school's contacts and a QR code to its
report form, Chinese rendered without downloading fonts; a PNG for WeChat groups."""

from __future__ import annotations

import base64
import io
import re
import zlib

from PIL import Image

from anxin.core.models import AuditEvent
from anxin.core.roles import Role
from anxin.intake import poster


def _pdf_text_streams(data: bytes) -> bytes:
    """The decoded content streams (reportlab writes ASCII85 + Flate)."""
    out = b""
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        raw = m.group(1).strip()
        if raw.endswith(b"~>"):
            raw = base64.a85decode(raw[:-2], adobe=False, ignorechars=b" \t\n\r\x0b")
        try:
            out += zlib.decompress(raw)
        except zlib.error:
            out += raw
    return out


def test_a4_pdf_poster_has_a_cjk_font_contacts_and_qr(world, as_user):
    r = as_user(world.user[Role.SAFETY_LEADER]).get(f"/intake/posters/{world.school_a1.pk}/poster.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    data = r.content
    assert data.startswith(b"%PDF")
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in data  # A4
    assert poster.pdf_font().encode() in data  # a CJK font (embedded TrueType or STSong-Light)
    streams = _pdf_text_streams(data)
    assert b"0951-8012345" in streams  # the anti-bullying phone
    assert streams.count(b" re") > 100  # the QR code's modules, drawn as vector squares
    assert AuditEvent.objects.filter(action="export", data__what="poster.pdf").exists()


def test_pdf_falls_back_to_the_built_in_cid_font_without_a_truetype_font(world, monkeypatch):
    poster.pdf_font.cache_clear()
    monkeypatch.setattr(poster, "_font_paths", lambda: [])
    try:
        assert poster.pdf_font() == "STSong-Light"
        assert b"STSong-Light" in poster.pdf(world.school_a1)
    finally:
        poster.pdf_font.cache_clear()


def test_png_poster_for_wechat_groups(world, as_user):
    r = as_user(world.user[Role.PRINCIPAL]).get(f"/intake/posters/{world.school_a1.pk}/poster.png")
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    img = Image.open(io.BytesIO(r.content))
    assert img.size == (1080, 1600)
    # the QR area is black-and-white
    qr_pixel_colours = {img.getpixel((x, 500)) for x in range(300, 780, 7)}
    assert (0, 0, 0) in qr_pixel_colours and (255, 255, 255) in qr_pixel_colours


def test_poster_points_to_the_schools_report_form(world):
    assert poster.report_url(world.school_a1).endswith(f"/s/{world.school_a1.public_code}/report/")


def test_poster_only_for_schools_in_scope(world, as_user):
    c = as_user(world.user[Role.SAFETY_LEADER])
    assert c.get(f"/intake/posters/{world.school_b1.pk}/poster.pdf").status_code == 404
    assert (
        as_user(world.user[Role.CLASS_TEACHER])
        .get(f"/intake/posters/{world.school_a1.pk}/poster.pdf")
        .status_code
        == 403
    )
    body = as_user(world.user[Role.BUREAU_SAFETY]).get("/intake/posters/").content.decode()
    assert world.school_a1.name in body and world.school_a2.name in body and world.school_b1.name not in body
