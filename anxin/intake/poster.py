"""The school's anti-bullying poster (R-ORG-5; seed 二(六) 在显著位置公布学校欺凌防治电话、邮箱
和分管安全工作校领导电话，畅通学生诉求通道): a printable A4 PDF and a PNG for WeChat groups,
each with the published contacts and a QR code to the anonymous report form.

Files that leave the platform work anywhere: the PDF embeds a subset of the installed CJK font
(``anxin.core.pdffonts``: CFF outlines converted to TrueType so reportlab can embed them), so
every viewer shows the Chinese text. The PNG draws text with any installed CJK font (Pillow
reads TrueType and OpenType/CFF collections); without one it shows the QR code and the address
only. The QR code is drawn as vector squares in the PDF.
"""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.urls import reverse

from anxin.core import pdffonts


def report_url(school) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("intake_public:report", args=[school.public_code])


def _contacts(school) -> list[tuple[str, str]]:
    rows = [
        ("欺凌防治电话", school.antibullying_phone),
        ("分管安全校领导电话", school.safety_leader_phone),
        ("法治副校长电话", school.legal_vp_phone),
        ("欺凌防治邮箱", school.antibullying_email),
    ]
    county = getattr(school, "county", None)
    if county is not None and county.bureau_phone:
        rows.append((f"{county.bureau_name}电话", county.bureau_phone))
    rows.append(("报警电话", "110"))
    return [(k, v) for k, v in rows if v]


TITLE = "发现欺凌  勇敢说出来"
LINES = (
    "扫码匿名举报：不用登录，不用写名字，学校保护你的隐私。",
    "提交后记下“跟进码”，凭码查看学校回复、补充情况和证据。",
    "遇到危险：打开举报页面点“紧急求救”，值班领导马上收到；",
    "有生命危险请立即拨打 110 或 120。",
)
FOOTER = "建立紧急求救机制，畅通学生诉求通道 —— 安心校园"


def pdf(school) -> bytes:
    """The A4 poster as PDF bytes."""
    from reportlab.lib.colors import HexColor, black, white
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    url = report_url(school)
    contacts = _contacts(school)
    font = pdffonts.register(
        "".join([TITLE, school.name, FOOTER, *LINES, *(label + "：" + value for label, value in contacts)])
    )
    buf = io.BytesIO()
    w, h = A4
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    c.setTitle(f"{school.name} 防欺凌求助海报")
    c.setAuthor("安心校园")
    # header band
    c.setFillColor(HexColor("#0f2c59"))
    c.rect(0, h - 150, w, 150, stroke=0, fill=1)
    c.setFillColor(white)
    c.setFont(font, 38)
    c.drawCentredString(w / 2, h - 80, TITLE)
    c.setFont(font, 20)
    c.drawCentredString(w / 2, h - 120, school.name)
    # QR code, vector
    qr = segno.make(url, error="m")
    size = 230.0
    modules = qr.symbol_size(scale=1, border=0)[0]
    unit = size / modules
    x0, y0 = (w - size) / 2, h - 190 - size
    c.setFillColor(black)
    for row, bits in enumerate(qr.matrix):
        col = 0
        while col < modules:
            if bits[col]:
                start = col
                while col < modules and bits[col]:
                    col += 1
                c.rect(
                    x0 + start * unit,
                    y0 + size - (row + 1) * unit,
                    (col - start) * unit,
                    unit,
                    stroke=0,
                    fill=1,
                )
            else:
                col += 1
    c.setFont("Helvetica", 9)
    c.drawCentredString(w / 2, y0 - 14, url)
    # contacts
    y = y0 - 50
    # values line up after the longest label (a county bureau's name can be long)
    value_x = max([280.0] + [100 + c.stringWidth(f"{label}：", font, 18) for label, _ in contacts])
    for label, value in contacts:
        c.setFont(font, 18)
        c.drawString(90, y, f"{label}：")
        # phones and e-mail are ASCII: a Latin font keeps them crisp and searchable
        c.setFont("Helvetica-Bold" if value.isascii() else font, 18)
        c.drawString(value_x, y, value)
        y -= 30
    y -= 10
    c.setFont(font, 13)
    for line in LINES:
        c.drawString(70, y, line)
        y -= 22
    c.setFillColor(HexColor("#646a73"))
    c.setFont(font, 10)
    c.drawCentredString(w / 2, 40, FOOTER)
    c.showPage()
    c.save()
    return buf.getvalue()


def _pil_font(size: int):
    from PIL import ImageFont

    for path in pdffonts.font_paths():
        for index in (pdffonts.collection_index(path), 0):
            try:
                font = ImageFont.truetype(path, size, index=index)
            except OSError:
                continue
            return font
    return None


def png(school) -> bytes:
    """A 1080×1600 image for WeChat groups."""
    from PIL import Image, ImageDraw

    url = report_url(school)
    width, height = 1080, 1600
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, 0, width, 260], fill="#0f2c59")
    title_font, name_font, body_font = _pil_font(76), _pil_font(44), _pil_font(36)
    qr_png = io.BytesIO()
    segno.make(url, error="m").save(qr_png, kind="png", scale=14, border=2)
    qr_png.seek(0)
    qr_img = Image.open(qr_png).convert("RGB")
    qx = (width - qr_img.width) // 2
    img.paste(qr_img, (qx, 300))
    y = 300 + qr_img.height + 30
    if title_font is None:  # no CJK font installed: the QR code and the address still work
        draw.text((40, 100), "Anxin - scan to report bullying anonymously", fill="white")
        draw.text((40, y), url, fill="black")
    else:
        _centred(draw, width, 70, TITLE, title_font, "white")
        _centred(draw, width, 170, school.name, name_font, "white")
        _centred(draw, width, y, "扫码匿名举报 · 学校保护你的隐私", body_font, "#0f2c59")
        y += 70
        for label, value in _contacts(school):
            draw.text((110, y), f"{label}：{value}", font=body_font, fill="black")
            y += 56
        y += 10
        for line in LINES[1:]:
            draw.text((70, y), line, font=_pil_font(30), fill="#333333")
            y += 46
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _centred(draw, width: int, y: int, text: str, font, fill) -> None:
    left, _top, right, _bottom = draw.textbbox((0, 0), text, font=font)
    draw.text(((width - (right - left)) // 2, y), text, font=font, fill=fill)
