"""The 督导意见书 (.docx) in the official-document layout of the incident report (GB/T 9704
style: anxin/cases/documents.py's page setup, fonts and paragraph helpers, reused): title,
the school addressed, what was inspected and when, the score by aspect, the findings, the
rectification items with their due dates, the closing request, 落款 and date; the score sheet
as an annex table."""

from __future__ import annotations

import io
from collections import OrderedDict
from decimal import Decimal

from django.http import HttpResponse
from django.utils.encoding import escape_uri_path
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK

from anxin.cases.documents import (
    BODY_FONT,
    DOCX,
    HEADING_FONT,
    TITLE_FONT,
    _chinese_date,
    _fonts,
    _heading,
    _para,
    _setup,
)
from anxin.supervision.models import Visit


def _issuer(visit: Visit) -> str:
    bureau = visit.county.bureau_name or f"{visit.county.name}教育体育局"
    return bureau if visit.is_joint else f"{visit.county.name}教育督导室"


def _num(value) -> str:
    return "—" if value is None else f"{value.normalize():f}"


def opinion_docx(visit: Visit) -> bytes:
    school = visit.school
    scores = list(visit.scores.order_by("position", "id"))
    rects = list(visit.rectifications.order_by("due_date", "id"))
    doc = Document()
    _setup(doc)
    _para(doc, indent=False)
    title = "联合检查反馈意见书" if visit.is_joint else "督导意见书"
    _para(doc, title, font=TITLE_FONT, size=22, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, indent=False)
    _para(doc, f"{school.name}：", indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    day = _chinese_date(visit.visited_on) if visit.visited_on else ""
    who = (
        f"{visit.inspection.title}检查组"
        if visit.is_joint
        else f"责任督学{visit.supervisor.real_name or visit.supervisor.username}"
    )
    _para(
        doc,
        f"根据县教育督导室将学生欺凌防治工作纳入责任督学挂牌督导范围的要求，{day}，{who}对你校"
        f"学生欺凌防治工作进行了督导检查。现将督导意见反馈如下：",
    )
    _heading(doc, 0, "基本情况")
    by_cat: OrderedDict[str, list] = OrderedDict()
    for s in scores:
        by_cat.setdefault(s.category, []).append(s)
    parts = []
    for cat, rows in by_cat.items():
        got = sum((s.score for s in rows if s.score is not None), Decimal("0"))
        parts.append(f"{cat}{_num(got)}/{sum(s.weight for s in rows)}分")
    _para(
        doc,
        f"按本县督导检查清单评分，你校得分 {_num(visit.total)} 分（满分 {visit.full} 分）。其中：{'；'.join(parts)}。",
    )
    if visit.strengths:
        _para(doc, f"工作亮点：{visit.strengths}")
    _heading(doc, 1, "存在的主要问题")
    _para(doc, visit.findings or "无")
    _heading(doc, 2, "整改要求")
    if rects:
        for n, r in enumerate(rects, start=1):
            _para(
                doc,
                f"{n}. {r.problem.rstrip('。；;. ')}。整改要求：{r.requirement.rstrip('。；;. ')}"
                f"（整改期限：{_chinese_date(r.due_date)}）。",
            )
    else:
        _para(doc, "无")
    _para(
        doc,
        "请你校对照上述问题认真整改，在整改期限内通过平台报送整改情况和佐证材料，督学将逐项核验。",
    )
    _para(doc)
    _para(doc, _issuer(visit), indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent_chars=4)
    _para(doc, day, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent_chars=4)
    # annex: the score sheet
    doc.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
    _para(doc, "附件", font=HEADING_FONT, indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    _para(doc, "督导检查评分表", font=TITLE_FONT, size=22, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("方面", "检查内容", "分值", "得分", "扣分说明"), strict=True):
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _fonts(cell.paragraphs[0].add_run(text), HEADING_FONT, 12)
    for s in scores:
        cells = table.add_row().cells
        for cell, text in zip(cells, (s.category, s.text, str(s.weight), _num(s.score), s.note), strict=True):
            _fonts(cell.paragraphs[0].add_run(text), BODY_FONT, 12)
    cells = table.add_row().cells
    for cell, text in zip(cells, ("合计", "", str(visit.full), _num(visit.total), ""), strict=True):
        _fonts(cell.paragraphs[0].add_run(text), HEADING_FONT, 12)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def filename_of(visit: Visit) -> str:
    kind = "联合检查反馈意见书" if visit.is_joint else "督导意见书"
    return f"{kind}-{visit.school.name}-{visit.visited_on or visit.planned_on:%Y%m%d}.docx"


def opinion_response(visit: Visit) -> HttpResponse:
    response = HttpResponse(opinion_docx(visit), content_type=DOCX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename_of(visit))}"
    return response
