"""The poster (R-ORG-5): a printable A4 PDF with the school's contacts and a QR code to its
report form, Chinese rendered without downloading fonts; a PNG for WeChat groups."""

from __future__ import annotations

import base64
import io
import re
import zlib

from PIL import Image

from anxin.core import pdffonts
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
    streams = _pdf_text_streams(data)
    assert b"0951-8012345" in streams  # the anti-bullying phone
    assert streams.count(b" re") > 100  # the QR code's modules, drawn as vector squares
    assert AuditEvent.objects.filter(action="export", data__what="poster.pdf").exists()


def test_pdf_embeds_its_chinese_font_so_every_viewer_shows_the_text(world):
    """Poppler-based viewers draw nothing for a non-embedded CID font: the poster carries a
    TrueType subset of the installed CJK font (CFF outlines converted), with a ToUnicode map."""
    assert pdffonts.font_paths(), "a CJK font must be installed (.ci/run installs fonts-noto-cjk)"
    data = poster.pdf(world.school_a1)
    assert b"STSong-Light" not in data
    assert b"/FontFile2" in data and b"/Subtype /TrueType" in data
    streams = _pdf_text_streams(data)
    assert streams.count(b"glyf") >= 1  # the embedded font program
    # the title's characters are mapped back to Unicode (copy, search, screen readers)
    for ch in "欺凌勇敢":
        assert f"<{ord(ch):04X}>".encode() in streams, ch
    # the school's own name is in the subset too, not only the fixed text
    assert all(f"<{ord(ch):04X}>".encode() in streams for ch in set(world.school_a1.name))


def test_two_posters_in_one_process_each_get_their_own_subset(world):
    first, second = poster.pdf(world.school_a1), poster.pdf(world.school_b1)
    for school, data in ((world.school_a1, first), (world.school_b1, second)):
        streams = _pdf_text_streams(data)
        assert all(f"<{ord(ch):04X}>".encode() in streams for ch in set(school.name) if not ch.isascii())


def test_pdf_falls_back_to_the_built_in_cid_font_only_without_any_cjk_font(world, monkeypatch):
    monkeypatch.setattr(pdffonts, "font_paths", lambda: [])
    assert b"STSong-Light" in poster.pdf(world.school_a1)


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
