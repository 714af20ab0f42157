"""The incident report as an official document (.docx, GB/T 9704 layout) and the registers
as .xlsx — checked by opening the files produced."""

from __future__ import annotations

import io
import re

from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import load_workbook

from anxin.cases import scenarios, services
from anxin.cases.models import CaseState

S = CaseState


def _east_asia(run) -> str | None:
    rfonts = run._element.rPr.find(qn("w:rFonts"))
    return rfonts.get(qn("w:eastAsia")) if rfonts is not None else None


def _reported_case(new_case, drive):
    case = new_case(source="public_opinion")
    drive(case, S.INVESTIGATING)
    return case


def test_first_report_docx_has_official_layout_fonts_and_names_only_in_the_annex(
    new_case, drive, cw, as_user
):
    case = _reported_case(new_case, drive)
    report = case.bureau_reports.get(kind="first")
    resp = as_user(cw.user["bureau_safety"]).get(reverse("cases:report_docx", args=[report.pk]))
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    doc = Document(io.BytesIO(resp.content))
    sec = doc.sections[0]

    def mm(v):
        return round(v.mm, 1)

    assert (mm(sec.page_width), mm(sec.page_height)) == (210, 297)  # A4 (stored in twips)
    assert [mm(v) for v in (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)] == [
        37,
        35,
        28,
        26,
    ]
    paras = [p for p in doc.paragraphs if p.text.strip()]
    title = next(p for p in paras if "关于一起学生欺凌事件的报告（首报）" in p.text)
    assert title.text == "贺兰县第一中学关于一起学生欺凌事件的报告（首报）"
    assert title.alignment == 1  # centred
    assert title.runs[0].font.size == Pt(22) and _east_asia(title.runs[0]) == "方正小标宋简体"
    recipient = next(p for p in paras if p.text.endswith("：") and "教育体育局" in p.text)
    assert recipient.text == "贺兰县教育体育局：" and _east_asia(recipient.runs[0]) == "仿宋_GB2312"
    texts = [p.text for p in paras]
    assert "一、事件基本情况" in texts and "二、已采取的措施" in texts and "特此报告。" in texts
    heading = next(p for p in paras if p.text == "一、事件基本情况")
    assert _east_asia(heading.runs[0]) == "黑体" and heading.runs[0].font.size == Pt(16)
    body = next(p for p in paras if p.text.startswith("（一）时间"))
    assert body.paragraph_format.first_line_indent == Pt(32)
    assert _east_asia(body.runs[0]) == "楷体_GB2312" and _east_asia(body.runs[1]) == "仿宋_GB2312"
    assert any(re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", t) for t in texts)
    annex_at = texts.index("附件")
    assert all("张小明" not in t and "李小红" not in t for t in texts[:annex_at])
    names = {row.cells[0].text for row in doc.tables[0].rows[1:]}
    assert names == {"张小明", "李小红"}
    assert "— " in doc.sections[0].footer.paragraphs[0].text  # page number "— N —"


def test_follow_up_report_shows_only_what_changed(new_case, drive, mm, leader):
    case = _reported_case(new_case, drive)
    first = case.bureau_reports.get(kind="first")
    follow = services.draft_report(case, by=mm, kind="follow", injuries="被欺凌学生经医院检查为软组织挫伤。")
    scenarios.sign_and_send(follow, leader)
    follow.refresh_from_db()
    # what changed: the injuries typed, and the investigation begun since the 首报 (已采取的措施
    # is drafted from the case's record)
    assert [d["field"] for d in follow.diff] == [
        "injuries",
        "measures_taken",
    ] and follow.previous_id == first.pk
    assert "开始调查" in follow.measures_taken and "开始调查" not in first.measures_taken
    with __import__("pytest").raises(Exception, match="不能修改"):
        services.update_report(follow, by=mm, injuries="改动")
    from anxin.cases import documents

    doc = Document(io.BytesIO(documents.report_docx(follow)))
    texts = [p.text for p in doc.paragraphs if p.text.strip()]
    assert "贺兰县第一中学关于一起学生欺凌事件的报告（续报一）" in texts
    assert any("情况变化" in t for t in texts)
    assert any("软组织挫伤" in t for t in texts)
    assert not any(t.startswith("（一）起因") for t in texts)  # unchanged facts are not repeated


def test_bureau_acknowledges_each_report(new_case, drive, cw, as_user):
    case = _reported_case(new_case, drive)
    report = case.bureau_reports.get(kind="first")
    c = as_user(cw.user["bureau_safety"])
    page = c.get(reverse("cases:report_detail", args=[report.pk])).content.decode()
    assert "待签收" in page and "签收" in page
    c.post(reverse("cases:report_acknowledge", args=[report.pk]), {"note": "已收悉"})
    report.refresh_from_db()
    assert report.acknowledged_by == cw.user["bureau_safety"] and report.ack_note == "已收悉"
    assert case.events.filter(kind="report.acknowledged").exists()
    # a school cannot acknowledge its own report
    resp = as_user(cw.user["safety_leader"]).post(reverse("cases:report_acknowledge", args=[report.pk]))
    assert resp.status_code == 403


def test_county_register_and_school_register_export_as_xlsx_without_names(new_case, drive, cw, mm, as_user):
    late = new_case(source="public_opinion")
    scenarios.open_simple(cw.school_a1, mm, victim=cw.student_own, bully=None)
    import datetime as dt

    import time_machine

    with time_machine.travel(late.report_due_at + dt.timedelta(hours=1), tick=False):
        resp = as_user(cw.user["bureau_safety"]).get(reverse("cases:case_list") + "?format=xlsx")
        rows = list(
            load_workbook(io.BytesIO(resp.content), read_only=True).worksheets[0].iter_rows(values_only=True)
        )
    assert rows[0][0] == "案件编号" and "迟报" in rows[0]
    by_number = {r[0]: r for r in rows[1:]}
    assert by_number[late.number][rows[0].index("迟报")] == "迟报"
    assert len(by_number) == 2
    flat = " ".join(str(v) for r in rows for v in r if v)
    assert "张小明" not in flat and "李小红" not in flat
    school = as_user(mm).get(reverse("cases:case_list") + "?format=xlsx")
    rows = list(
        load_workbook(io.BytesIO(school.content), read_only=True).worksheets[0].iter_rows(values_only=True)
    )
    assert {r[1] for r in rows[1:]} == {"贺兰县第一中学"}
