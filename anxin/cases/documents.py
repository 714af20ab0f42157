"""The incident report (首报 / 续报 / 终报) as an official document (.docx) in GB/T 9704-2012
layout (FORMATS.md): A4, margins 37/35/28/26 mm, title in 方正小标宋简体 22 pt centred, 主送机关 and
body in 仿宋_GB2312 16 pt with a 2-character first-line indent on a 28.95 pt grid, headings
一、 in 黑体 and （一） in 楷体, 特此报告, 落款 and date right-indented 4 characters, page numbers
"— N —" in 宋体 14 pt on the outer side. East Asian font names are set through ``w:eastAsia``
so offices with the official fonts see the exact look. Students' names appear only in the annex."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from anxin.cases.models import REPORT_FIELDS, BureauReport, ReportKind
from anxin.core import clock

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
BODY_PT = 16
LINE_PT = 28.95
CHINESE_NUMBERS = "一二三四五六七八九十"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _fonts(run, name: str, size: float, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = name
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)


def _para(
    doc,
    text: str = "",
    *,
    font: str = BODY_FONT,
    size: float = BODY_PT,
    indent: bool = True,
    align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    right_indent_chars: int = 0,
    bold: bool = False,
):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = align
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PT)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if right_indent_chars:
        fmt.right_indent = Pt(size * right_indent_chars)
    if text:
        _fonts(p.add_run(text), font, size, bold)
    return p


def _page_number_footer(section, align) -> None:
    """ "— N —" in 宋体 14 pt (a PAGE field), on the outer side."""
    footer = section.footer if align == WD_ALIGN_PARAGRAPH.RIGHT else section.even_page_footer
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.alignment = align
    _fonts(p.add_run("— "), PAGE_NUMBER_FONT, 14)
    run = p.add_run()
    _fonts(run, PAGE_NUMBER_FONT, 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._element.append(el)
    _fonts(p.add_run(" —"), PAGE_NUMBER_FONT, 14)


def _setup(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    normal.font.name = BODY_FONT
    rpr = normal.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), BODY_FONT)
    # odd pages: number on the right; even pages: on the left (GB/T 9704 7.5)
    settings = doc.settings.element
    settings.append(OxmlElement("w:evenAndOddHeaders"))
    _page_number_footer(section, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number_footer(section, WD_ALIGN_PARAGRAPH.LEFT)


def _heading(doc, n: int, text: str) -> None:
    _para(doc, f"{CHINESE_NUMBERS[n]}、{text}", font=HEADING_FONT)


def _item(doc, n: int, label: str, text: str) -> None:
    p = _para(doc)
    _fonts(p.add_run(f"（{CHINESE_NUMBERS[n]}）{label}。"), SUBHEADING_FONT, BODY_PT)
    _fonts(p.add_run(text or "无"), BODY_FONT, BODY_PT)


def title_of(report: BureauReport) -> str:
    return f"{report.case.school.name}关于一起学生欺凌事件的报告（{report.title_suffix}）"


def _chinese_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def report_docx(report: BureauReport) -> bytes:
    """The report as .docx bytes."""
    case = report.case
    school = case.school
    doc = Document()
    _setup(doc)
    if report.signer_name:  # the person who signed off in the system (never typed text)
        _para(doc, f"签发人：{report.signer_name}", indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, indent=False)
    _para(doc, title_of(report), font=TITLE_FONT, size=22, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, indent=False)
    _para(doc, f"{case.county.bureau_name}：", indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    labels = dict(REPORT_FIELDS)
    if report.kind == ReportKind.FIRST:
        _para(
            doc,
            f"{clock.local_date(case.discovered_at):%Y年%m月%d日}，我校发现一起学生欺凌事件，现将有关情况报告如下：",
        )
        _heading(doc, 0, "事件基本情况")
        fields = ("occurred_text", "place", "cause", "process", "people", "injuries", "findings")
        for n, field in enumerate(fields):
            _item(doc, n, labels[field], getattr(report, field))
        _heading(doc, 1, "已采取的措施")
        _para(doc, report.measures_taken or "无")
        _heading(doc, 2, "下一步工作")
        _para(doc, report.next_steps or "无")
    else:
        prev = report.previous
        when = f"{clock.local_date(prev.submitted_at):%Y年%m月%d日}" if prev and prev.submitted_at else ""
        prev_title = f"《{title_of(prev)}》" if prev else "前次报告"
        _para(
            doc,
            f"我校已于{when}报送{prev_title}，现将有关情况"
            + ("续报如下：" if report.kind == ReportKind.FOLLOW else "终报如下："),
        )
        n = 0
        if report.kind == ReportKind.FINAL:
            for field, heading in (
                ("determination_text", "认定结果"),
                ("handling_text", "处理和惩戒情况"),
                ("aftercare_text", "心理辅导与回访"),
                ("rectification_text", "整改措施"),
            ):
                _heading(doc, n, heading)
                _para(doc, getattr(report, field) or "无")
                n += 1
        changes = [d for d in report.diff_shown if d["field"] not in ("contact", "signer")]
        if report.kind == ReportKind.FOLLOW or changes:
            _heading(doc, n, "情况变化")
            for i, d in enumerate(changes):
                _item(doc, i, d["label"], d["after"])
            if not changes:
                _para(doc, "无")
    _para(doc, "特此报告。")
    _para(doc)
    _para(doc, "附件：涉及学生名单")
    _para(doc)
    _para(doc, school.name, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent_chars=4)
    day = clock.local_date(report.submitted_at) if report.submitted_at else clock.today()
    _para(doc, _chinese_date(day), indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent_chars=4)
    _para(doc, indent=False)
    if report.contact:
        _para(doc, f"（联系人及电话：{report.contact}）")
    # the annex: the only place students are named (FORMATS.md)
    doc.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
    _para(doc, "附件", font=HEADING_FONT, indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    _para(doc, "涉及学生名单", font=TITLE_FONT, size=22, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    annex = report.annex if report.submitted_at else None
    if annex is None:
        from anxin.cases.services.bureau_reports import _annex

        annex = _annex(case)
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("姓名", "身份", "学校", "班级"), strict=True):
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _fonts(cell.paragraphs[0].add_run(text), HEADING_FONT, 14)
    for row in annex:
        cells = table.add_row().cells
        for cell, key in zip(cells, ("name", "role", "school", "class"), strict=True):
            _fonts(cell.paragraphs[0].add_run(str(row.get(key, ""))), BODY_FONT, 14)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def filename_of(report: BureauReport) -> str:
    return f"{report.case.number}-{report.title_suffix}.docx"
