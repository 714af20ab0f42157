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
