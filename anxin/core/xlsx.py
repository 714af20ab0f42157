"""Writing registers (台账) as real .xlsx files, streaming, with formula injection defused."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from anxin.core.validators import excel_safe


def _cell_value(value):
    """Excel has no time zones: an aware datetime is written as local wall-clock time."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.make_naive(timezone.localtime(value))
    if isinstance(value, dt.time) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_bytes(
    sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]], widths: dict | None = None
) -> bytes:
    wb = Workbook(write_only=True)
    head_font = Font(bold=True, color="FFFFFF")
    head_fill = PatternFill("solid", fgColor="1F5FBF")
    for title, header, rows in sheets:
        ws = wb.create_sheet(title=title[:31])
        for i, name in enumerate(header):
            ws.column_dimensions[chr(65 + i) if i < 26 else "A" + chr(65 + i - 26)].width = max(
                10, len(str(name)) * 2 + 4
            )
        ws.freeze_panes = "A2"
        cells = []
        for name in header:
            c = WriteOnlyCell(ws, value=str(name))
            c.font = head_font
            c.fill = head_fill
            c.alignment = Alignment(horizontal="center")
            cells.append(c)
        ws.append(cells)
        for row in rows:
            out = []
            for value in row:
                value = excel_safe(_cell_value(value))
                if isinstance(value, str):
                    c = WriteOnlyCell(ws, value=value)
                    c.data_type = "s"  # never a formula, whatever the text
                    out.append(c)
                else:
                    out.append(value)
            ws.append(out)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_response(filename: str, sheets, **kw) -> HttpResponse:
    response = HttpResponse(workbook_bytes(sheets, **kw), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response


def grouped_workbook_bytes(
    title: str,
    groups: Sequence[tuple[str, Sequence[str]]],
    rows: Iterable[Sequence],
    *,
    total: Sequence | None = None,
    caption: str = "",
) -> bytes:
    """One sheet with a two-row header: each group's label merged over its columns (a group
    of one column named like the group is merged down instead), an optional caption row above
    and an optional bold total row (合计) below. Text is never a formula, as above."""
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    head_font = Font(bold=True, color="FFFFFF")
    head_fill = PatternFill("solid", fgColor="1F5FBF")
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    top = 1
    width = sum(len(subs) for _g, subs in groups)
    if caption:
        ws.cell(row=1, column=1, value=excel_safe(caption)).font = Font(bold=True, size=14)
        ws.cell(row=1, column=1).alignment = center
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(1, width))
        top = 2
    col = 1
    for label, subs in groups:
        if len(subs) == 1 and subs[0] == label:
            ws.cell(row=top, column=col, value=str(label))
            ws.merge_cells(start_row=top, start_column=col, end_row=top + 1, end_column=col)
        else:
            ws.cell(row=top, column=col, value=str(label))
            if len(subs) > 1:
                ws.merge_cells(start_row=top, start_column=col, end_row=top, end_column=col + len(subs) - 1)
            for i, sub in enumerate(subs):
                ws.cell(row=top + 1, column=col + i, value=str(sub))
        for i, sub in enumerate(subs):
            letter = get_column_letter(col + i)
            ws.column_dimensions[letter].width = max(10, min(40, len(str(sub)) * 2 + 4))
        col += len(subs)
    for r in (top, top + 1):
        for c in range(1, width + 1):
            cell = ws.cell(row=r, column=c)
            cell.font, cell.fill, cell.alignment = head_font, head_fill, center
    ws.freeze_panes = ws.cell(row=top + 2, column=2)
    r = top + 2
    for row in [*rows, *([total] if total is not None else [])]:
        for c, value in enumerate(row, start=1):
            value = excel_safe(_cell_value(value))
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            if total is not None and row is total:
                cell.font = Font(bold=True)
        r += 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
