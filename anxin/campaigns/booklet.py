"""The booklet (汇编成册, R-CMP-2): the accepted articles the bureau picked, in its order.

- .docx: a cover (campaign, 经验材料汇编, the bureau, the date), a real Word TOC field (Word
  fills it on opening: ``updateFields``), one article per chapter (Heading 1, so the TOC lists
  it) with the school as byline, page numbers in the footer; fonts as the incident report
  (anxin/cases/documents.py: GB/T 9704 style, East Asian names set through ``w:eastAsia``).
- PDF: reportlab with the Chinese font embedded as a subset (core.pdffonts), a contents page
  with page numbers, page numbers in the footer."""

from __future__ import annotations

import io
import logging
from html.parser import HTMLParser

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from anxin.campaigns import files as cfiles
from anxin.campaigns.models import Article, ArticleState, Campaign
from anxin.cases.documents import (
    BODY_FONT,
    DOCX,
    HEADING_FONT,
    SUBHEADING_FONT,
    TITLE_FONT,
    _fonts,
    _para,
    _setup,
)
from anxin.core import clock, pdffonts

log = logging.getLogger(__name__)

__all__ = ["DOCX", "articles", "docx", "pdf", "blocks"]

BLOCK_TAGS = {"p", "h2", "h3", "h4", "li", "blockquote"}


class _Blocks(HTMLParser):
    """Sanitised article HTML → [(tag, [(text, bold)])]: paragraphs, subheadings, list items."""

    def __init__(self):
        super().__init__()
        self.out: list[tuple[str, list[tuple[str, bool]]]] = []
        self.tag = "p"
        self.runs: list[tuple[str, bool]] = []
        self.bold = 0
        self.n = 0

    def _flush(self):
        if any(t.strip() for t, _b in self.runs):
            self.out.append((self.tag, self.runs))
        self.runs = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self._flush()
            self.tag = tag
            if tag == "li":
                self.n += 1
                self.runs.append((f"{self.n}. ", False))
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag == "br":
            self._flush()
        elif tag in ("ul", "ol"):
            self.n = 0

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            self._flush()
            self.tag = "p"
        elif tag in ("strong", "b"):
            self.bold = max(0, self.bold - 1)

    def handle_data(self, data):
        if data:
            self.runs.append((data, self.bold > 0))

    def close(self):
        super().close()
        self._flush()


def blocks(html: str):
    p = _Blocks()
    p.feed(html or "")
    p.close()
    return p.out


def articles(campaign: Campaign) -> list[Article]:
    return list(
        Article.objects.filter(campaign=campaign, state=ArticleState.ACCEPTED, booklet_order__isnull=False)
        .select_related("school")
        .prefetch_related("files")
        .order_by("booklet_order", "id")
    )


def _bureau(campaign) -> str:
    c = campaign.county
    return c.bureau_name or f"{c.name}教育体育局"


def _chinese_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- Word ----------------------------------------------------------------------------------------


def _field(paragraph, instr: str, placeholder: str) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instr), ("separate", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            if kind == "begin":
                el.set(qn("w:dirty"), "true")
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._element.append(el)
    _fonts(paragraph.add_run(placeholder), BODY_FONT, 14)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._element.append(end)


def _heading_style(doc):
    style = doc.styles["Heading 1"]
    style.font.size = Pt(22)
    style.font.bold = False
    style.font.name = TITLE_FONT
    style.font.color.rgb = None
    rpr = style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), TITLE_FONT)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    return style


def _page_break(doc):
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def docx(campaign: Campaign) -> bytes:
    items = articles(campaign)
    doc = Document()
    _setup(doc)
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    doc.settings.element.append(update)
    heading = _heading_style(doc)
    # cover
    for _i in range(4):
        _para(doc, indent=False)
    _para(doc, campaign.title, font=TITLE_FONT, size=26, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, indent=False)
    _para(doc, "经验材料汇编", font=TITLE_FONT, size=36, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    for _i in range(8):
        _para(doc, indent=False)
    _para(doc, _bureau(campaign), font=HEADING_FONT, size=18, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(
        doc,
        _chinese_date(clock.today()),
        font=BODY_FONT,
        size=16,
        indent=False,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    _page_break(doc)
    # contents: a real TOC field over the Heading 1 chapters
    _para(doc, "目  录", font=HEADING_FONT, size=22, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    toc = doc.add_paragraph()
    _field(toc, 'TOC \\o "1-1" \\h \\z \\u', "（打开文件时更新目录；如未显示，请右键点击此处选择“更新域”）")
    for a in items:
        _page_break(doc)
        p = doc.add_paragraph(style=heading)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _fonts(p.add_run(a.title), TITLE_FONT, 22)
        _para(
            doc, a.school.name, font=SUBHEADING_FONT, size=16, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER
        )
        _para(doc, indent=False)
        for tag, runs in blocks(a.body):
            para = _para(doc, indent=tag in ("p", "blockquote"))
            font = HEADING_FONT if tag in ("h2", "h3", "h4") else BODY_FONT
            for text, bold in runs:
                _fonts(para.add_run(text), font, 16, bold)
        for f in a.files.all():
            if f.is_image:
                try:
                    doc.add_picture(io.BytesIO(cfiles.read(f)), width=Mm(140))
                    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
                except Exception:  # noqa: BLE001 — an unreadable picture never stops the booklet
                    log.warning("booklet: attachment %s not added", f.pk, exc_info=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- PDF -----------------------------------------------------------------------------------------


def pdf(campaign: Campaign) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, PageBreak, Paragraph, Spacer, TableStyle
    from reportlab.platypus.doctemplate import BaseDocTemplate, PageTemplate
    from reportlab.platypus.frames import Frame
    from reportlab.platypus.tableofcontents import TableOfContents

    items = articles(campaign)
    bureau = _bureau(campaign)
    today = _chinese_date(clock.today())
    parsed = [(a, blocks(a.body)) for a in items]
    text = [campaign.title, "经验材料汇编目录第页—. ", bureau, today]
    for a, bl in parsed:
        text += [a.title, a.school.name]
        text += [t for _tag, runs in bl for t, _b in runs]
    font = pdffonts.register("".join(text))

    def style(name, size, leading=None, **kw):
        return ParagraphStyle(
            name, fontName=font, fontSize=size, leading=leading or size * 1.6, wordWrap="CJK", **kw
        )

    body = style("body", 12, firstLineIndent=24)
    sub = style("sub", 13, spaceBefore=6)
    h1 = style("h1", 20, alignment=TA_CENTER, spaceAfter=8)
    byline = style("byline", 13, alignment=TA_CENTER, spaceAfter=14)
    centre = lambda size: style(f"c{size}", size, alignment=TA_CENTER)  # noqa: E731

    class Booklet(BaseDocTemplate):
        def afterFlowable(self, flowable):  # noqa: N802 — reportlab's hook
            if getattr(flowable, "toc_title", None):
                self.notify("TOCEntry", (0, flowable.toc_title, self.page))

    def footer(canvas, doc_):
        if doc_.page > 1:
            canvas.setFont(font, 10)
            canvas.drawCentredString(A4[0] / 2, 12 * mm, f"— {doc_.page} —")

    buf = io.BytesIO()
    doc = Booklet(
        buf, pagesize=A4, title=f"{campaign.title} 经验材料汇编", author=bureau, initialFontName=font
    )
    frame = Frame(25 * mm, 22 * mm, A4[0] - 50 * mm, A4[1] - 47 * mm, id="f")
    doc.addPageTemplates([PageTemplate(id="p", frames=[frame], onPage=footer)])
    toc = TableOfContents()
    toc.levelStyles = [style("toc", 12, leftIndent=0)]
    toc.dotsMinLevel = 0
    toc.tableStyle = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), font, 12),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ]
    )
    story = [Spacer(1, 60 * mm), Paragraph(escape(campaign.title), centre(20)), Spacer(1, 10 * mm)]
    story += [Paragraph("经验材料汇编", centre(30)), Spacer(1, 80 * mm)]
    story += [Paragraph(escape(bureau), centre(15)), Paragraph(today, centre(13)), PageBreak()]
    story += [Paragraph("目录", h1), toc]
    for a, bl in parsed:
        story.append(PageBreak())
        title = Paragraph(escape(a.title), h1)
        title.toc_title = a.title
        story += [title, Paragraph(escape(a.school.name), byline)]
        for tag, runs in bl:
            html = "".join(f"<b>{escape(t)}</b>" if b else escape(t) for t, b in runs)
            story.append(Paragraph(html, sub if tag in ("h2", "h3", "h4") else body))
        for f in a.files.all():
            if f.is_image:
                try:
                    img = Image(io.BytesIO(cfiles.read(f)))
                    ratio = min(1.0, (A4[0] - 60 * mm) / img.drawWidth, (90 * mm) / img.drawHeight)
                    img.drawWidth, img.drawHeight = img.drawWidth * ratio, img.drawHeight * ratio
                    story += [Spacer(1, 4 * mm), img]
                except Exception:  # noqa: BLE001
                    log.warning("booklet: attachment %s not added", f.pk, exc_info=True)
    doc.multiBuild(story)
    return buf.getvalue()
