"""Building roster .xlsx files for tests (openpyxl), with valid ID numbers."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from anxin.core.validators import id_check_digit
from anxin.roster.importer import STUDENT_TEMPLATE_HEADERS


def make_id(n: int, birth: dt.date = dt.date(2012, 5, 1), male: bool = True, area: str = "640122") -> str:
    """A valid 居民身份证 number: area + birth date + 2-digit sequence + sex digit + check."""
    seq = f"{n % 100:02d}"
    sex = (n // 100) % 5 * 2 + (1 if male else 0)
    body = f"{area}{birth:%Y%m%d}{seq}{sex}"
    return body + id_check_digit(body)


def student_row(n: int, **over) -> dict:
    """A valid template row for student ``n`` of 初一1班 (as in the test world's school A1)."""
    male = over.pop("male", True)
    birth = over.pop("birth", dt.date(2012, 5, 1))
    id_number = make_id(n, birth, male)
    row = {
        "全国学籍号": "G" + id_number,
        "姓名": f"学生{chr(0x4E00 + n)}",
        "性别": "男" if male else "女",
        "出生日期": birth.strftime("%Y%m%d"),
        "民族": "汉族",
        "身份证件类型": "居民身份证",
        "身份证件号": id_number,
        "年级": "初一",
        "班级": "1班",
        "就读方式": "走读",
        "入学年月": "202409",
        "是否留守儿童": "非留守",
        "是否进城务工人员随迁子女": "否",
        "是否孤儿": "否",
        "是否独生子女": "是",
        "是否需要申请资助": "否",
        "现住址": "贺兰县习岗镇",
        "联系电话": "",
        "成员1姓名": "王大山",
        "成员1关系": "父亲",
        "成员1联系电话": f"139{n:08d}",
        "成员1是否监护人": "是",
        "成员1是否同住": "是",
        "成员1工作单位": "",
        "成员2姓名": "",
        "成员2关系": "",
        "成员2联系电话": "",
        "成员2是否监护人": "",
        "成员2是否同住": "",
        "成员2工作单位": "",
    }
    row.update(over)
    return row


def xlsx_bytes(
    rows: list[dict] | list[list], headers: list[str] | None = None, title: str = "学生名册"
) -> bytes:
    """An .xlsx whose first sheet has ``headers`` and ``rows`` (dicts by header, or lists).
    Every value is written as a text cell, as a school's file typed as text would be."""
    headers = headers if headers is not None else STUDENT_TEMPLATE_HEADERS
    wb = Workbook()
    ws = wb.active
    ws.title = title
    if headers:
        ws.append(headers)
    for r in rows:
        values = [r.get(h, "") for h in headers] if isinstance(r, dict) else list(r)
        ws.append([None] * len(values))
        for i, v in enumerate(values, start=1):
            cell = ws.cell(row=ws.max_row, column=i)
            cell.value = v
            if isinstance(v, str):
                cell.data_type = "s"  # text, even when it starts with "="
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(content: bytes, name: str = "名册.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def excel_style_xlsx(headers: list[str], rows: list[list]) -> bytes:
    """An .xlsx laid out as Excel saves one: text in a shared-strings table, numbers as number
    cells written digit for digit (``int`` values), nothing inline."""
    import zipfile
    from xml.sax.saxutils import escape

    from openpyxl.utils import get_column_letter

    sst: dict[str, int] = {}
    body = []
    for r, values in enumerate([headers, *rows], start=1):
        cells = []
        for i, v in enumerate(values, start=1):
            ref = f"{get_column_letter(i)}{r}"
            if v is None or v == "":
                continue
            if isinstance(v, int):
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="s"><v>{sst.setdefault(str(v), len(sst))}</v></c>')
        body.append(f'<row r="{r}">{"".join(cells)}</row>')
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}" '
            f'xmlns:r="{rel}"><sheets><sheet name="学生" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships '
            f'xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        )
        z.writestr(
            "xl/worksheets/sheet1.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}">'
            f"<sheetData>{''.join(body)}</sheetData></worksheet>",
        )
        z.writestr(
            "xl/sharedStrings.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{ns}">'
            + "".join(f"<si><t>{escape(s)}</t></si>" for s in sst)
            + "</sst>",
        )
    return buf.getvalue()
