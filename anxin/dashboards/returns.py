"""Statistics returns (R-DASH-3): the county's tables as .xlsx in the layout bureaus file (one
sheet per table, merged headers, 合计 rows, widths that fit Chinese school names) and a monthly
or term report (.docx) generated from the same figures, with the charts as images."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from anxin.core import audit
from anxin.core.access import require
from anxin.core.validators import excel_safe
from anxin.core.xlsx import XLSX
from anxin.dashboards import charts, panels
from anxin.dashboards.figures import Figure, Scope
from anxin.dashboards.views import COUNTY, build_scope

EXPORT = "dashboards.returns.export"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _period(scope: Scope) -> str:
    if scope.date_from or scope.date_to:
        return f"{scope.date_from or '…'} — {scope.date_to or '…'}"
    return _("截至 %(d)s") % {"d": scope.today.isoformat()}


def _width(text: str) -> float:
    """Excel column width for a text: a CJK character takes two."""
    return sum(2.1 if ord(ch) > 0x2E80 else 1.1 for ch in str(text)) + 2


def _value(cell):
    if cell.suppressed or cell.text is not None:
        return cell.display
    return cell.value


def workbook(scope: Scope, county_name: str, figures: list[Figure]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="DCE6F4")
    total_fill = PatternFill("solid", fgColor="F3F6FB")
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    used: set[str] = set()
    for n, fig in enumerate(figures, 1):
        name = fig.title.replace("：", " ").replace(":", " ")[:28]
        for ch in "[]*?/\\":
            name = name.replace(ch, " ")
        if name in used:
            name = f"{name[:25]} {n}"
        used.add(name)
        ws = wb.create_sheet(name)
        ncol = len(fig.columns) + 1
        last = get_column_letter(ncol)
        ws.append([f"{county_name} {fig.title}"])
        ws.merge_cells(f"A1:{last}1")
        ws["A1"].font = Font(bold=True, size=14)
        ws["A1"].alignment = center
        ws.append(
            [_("统计期间：%(p)s　制表：%(d)s") % {"p": _period(scope), "d": timezone.localdate().isoformat()}]
        )
        ws.merge_cells(f"A2:{last}2")
        ws["A2"].alignment = Alignment(horizontal="right")
        # two header rows: the unit column spans both; the figure's columns sit under one group
        ws.append([fig.head] + [fig.title.split("：")[0]] + [None] * (ncol - 2))
        ws.append([None] + list(fig.columns))
        ws.merge_cells("A3:A4")
        if ncol > 2:
            ws.merge_cells(f"B3:{last}3")
        for row in ws.iter_rows(min_row=3, max_row=4, max_col=ncol):
            for c in row:
                c.font, c.fill, c.alignment, c.border = Font(bold=True), head_fill, center, border
        body = [(r.label, r.cells, False) for r in fig.rows]
        if fig.total is not None:
            body.append((fig.total.label, fig.total.cells, True))
        for label, cells, is_total in body:
            ws.append([excel_safe(label)] + [_value(c) for c in cells])
            for c in ws[ws.max_row]:
                c.border = border
                if is_total:
                    c.font, c.fill = Font(bold=True), total_fill
        ws.column_dimensions["A"].width = min(60, max([_width(lbl) for lbl, _c, _t in body] + [12]))
        for i, col in enumerate(fig.columns, 2):
            ws.column_dimensions[get_column_letter(i)].width = max(10, _width(col))
        if fig.note:
            ws.append([fig.note])
            ws.merge_cells(f"A{ws.max_row}:{last}{ws.max_row}")
        ws.freeze_panes = "B5"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def document(scope: Scope, county_name: str, sections) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2.5)
    normal = doc.styles["Normal"]
    normal.font.name = "仿宋"
    normal.font.size = Pt(12)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(_("%(c)s学生欺凌防治工作统计报告") % {"c": county_name})
    run.bold, run.font.size = True, Pt(20)
    run.font.name = "方正小标宋简体"
    run._element.rPr.rFonts.set(qn("w:eastAsia"), "方正小标宋简体")
    p = doc.add_paragraph(_("统计期间：%(p)s") % {"p": _period(scope)})
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for _key, label, figs in sections:
        doc.add_heading(label, level=1)
        for fig in figs:
            doc.add_heading(fig.title, level=2)
            image = charts.png(fig)
            if image:
                doc.add_picture(io.BytesIO(image), width=Cm(15))
            table = doc.add_table(rows=1, cols=len(fig.columns) + 1)
            table.style = "Table Grid"
            for i, h in enumerate([fig.head] + list(fig.columns)):
                table.rows[0].cells[i].text = str(h)
                for r in table.rows[0].cells[i].paragraphs[0].runs:
                    r.bold = True
            rows = list(fig.rows) + ([fig.total] if fig.total is not None else [])
            for r in rows:
                cells = table.add_row().cells
                cells[0].text = r.label
                for i, c in enumerate(r.cells, 1):
                    cells[i].text = c.display
            if fig.total is not None:
                for c in table.rows[-1].cells:
                    for r in c.paragraphs[0].runs:
                        r.bold = True
            if fig.note:
                doc.add_paragraph(fig.note).runs[0].italic = True
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _county_name(user) -> str:
    from django.apps import apps

    County = apps.get_model("org", "County")
    return County.objects.filter(pk=user.county_id).values_list("name", flat=True).first() or ""


def attachment(content: bytes, name: str, ctype: str) -> HttpResponse:
    response = HttpResponse(content, content_type=ctype)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(name)}"
    return response


@login_required
def returns_xlsx(request):
    require(request, EXPORT)
    scope, _form = build_scope(request, perm=COUNTY)
    figs = panels.all_figures(scope)
    name = f"{_('统计报表')}-{timezone.localdate():%Y%m%d}.xlsx"
    response = attachment(workbook(scope, _county_name(request.user), figs), name, XLSX)
    audit.append("export", object_type="dashboards.returns", data={"filters": scope.query()})
    return response


@login_required
def report_docx(request):
    require(request, EXPORT)
    scope, _form = build_scope(request, perm=COUNTY)
    sections = panels.sections(scope)
    name = f"{_('统计报告')}-{timezone.localdate():%Y%m%d}.docx"
    response = attachment(document(scope, _county_name(request.user), sections), name, DOCX)
    audit.append("export", object_type="dashboards.report", data={"filters": scope.query()})
    return response
