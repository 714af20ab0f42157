"""The parsed rows of a student file, the context a student import is checked in, and opening a
file at its header row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import IO

from anxin.core import clock
from anxin.roster.xlsxread import SheetReader, WorkbookError

from .checks import Report
from .columns import HEADER_LABEL, NOTES_SHEETS, normalize_header
from .grades import ClassIndex

# --- students -----------------------------------------------------------------------------------


@dataclass(slots=True)
class Member:
    """成员1/成员2 of a row (a guardian or family member)."""

    position: int
    name: str
    relation: str
    phone: str
    is_guardian: bool
    lives_with: bool | None  # None: the file has no such column (keep what is stored)
    employer: str | None


@dataclass(slots=True)
class StudentRow:
    """One valid row, cleaned: codes, dates and booleans ready for the model."""

    line: int
    values: dict  # Student field -> value, only the columns the file has
    id_index: str | None
    klass_id: int | None
    class_key: tuple | None
    members: list[Member]
    match_pk: int | None = None
    match_school_id: int | None = None
    student_no_index: str | None = None  # blind index of values["student_no"]


@dataclass
class StudentContext:
    """What validation needs from the database: the school, its classes and the county's
    existing keys (blind indexes of 学籍号 and ID number → (pk, school, status))."""

    school_id: int
    school_code: str
    create_classes: bool
    classes: ClassIndex
    by_no: dict[str, tuple[int, int, str]]
    by_id: dict[str, tuple[int, int, str]]
    by_name_birth: dict[tuple[str, dt.date], int | None]
    today: dt.date = field(default_factory=clock.today)

    @classmethod
    def load(cls, school, create_classes: bool) -> StudentContext:
        """Three queries: classes, the county's keys, the school's (name, birth date) pairs."""
        from anxin.roster.models import Student

        by_no: dict[str, tuple[int, int, str]] = {}
        by_id: dict[str, tuple[int, int, str]] = {}
        rows = Student.objects.filter(county_id=school.county_id).values_list(
            "pk", "school_id", "student_no_index", "id_index", "status"
        )
        for pk, school_id, no, idx, status in rows.iterator(chunk_size=5000):
            if no:
                by_no[no] = (pk, school_id, status)
            if idx:
                by_id[idx] = (pk, school_id, status)
        by_name_birth: dict[tuple[str, dt.date], int | None] = {}
        for pk, name, birth in (
            Student.objects.filter(school_id=school.pk)
            .values_list("pk", "name", "birth_date")
            .iterator(chunk_size=5000)
        ):
            key = (name, birth)
            by_name_birth[key] = None if key in by_name_birth else pk  # ambiguous: no match
        return cls(
            school_id=school.pk,
            school_code=school.code,
            create_classes=create_classes,
            classes=ClassIndex.for_school(school.pk),
            by_no=by_no,
            by_id=by_id,
            by_name_birth=by_name_birth,
        )


@dataclass
class StudentParse:
    report: Report
    rows: list[StudentRow]
    present: set[str]  # Student fields the file carries (absent ones are left as stored)
    member_positions: set[int]  # 1, 2: member columns the file carries
    classes_to_create: dict[tuple, str]


def _find_header(reader: SheetReader, headers: dict[str, str], required_key: str):
    """The first sheet and row (within its first 20 rows) whose cells name at least three
    known columns, ``required_key`` among them: (sheet, row number, cells, column → key).
    The mapping is None when no sheet has any content at all (an empty file)."""
    seen_rows = False
    for title, target in reader.sheets:
        if title.strip() in NOTES_SHEETS:  # our template's instructions, with an example row
            continue
        rows = reader.rows(target)
        try:
            for n, (line, cells) in enumerate(rows):
                seen_rows = True
                mapping = {}
                for i, cell in enumerate(cells):
                    key = headers.get(normalize_header(cell))
                    if key:
                        mapping.setdefault(i, key)
                keys = set(mapping.values())
                if required_key in keys and len(keys) >= 3:
                    return target, line, cells, mapping
                if n >= 19:
                    break
        finally:
            rows.close()
    return None, 0, [], ({} if seen_rows else None)


def _open(fileobj: IO[bytes], size: int, report: Report, headers: dict[str, str], required: tuple, what: str):
    """Open, find the header, check the required columns. None when the file is refused."""
    try:
        reader = SheetReader(fileobj, size)
        target, header_line, header_cells, mapping = _find_header(reader, headers, "name")
    except WorkbookError as exc:
        report.file_errors.append(exc.message)
        return None
    if mapping is None:
        report.file_errors.append("文件是空的，没有任何内容。")
        return None
    if target is None:
        report.file_errors.append(
            f"未找到可识别的表头：第一行应为列名（如“姓名、性别、出生日期…”）。请下载{what}模板，按模板填写后上传。"
        )
        return None
    report.header_row = header_line
    by_key: dict[str, int] = {}
    unknown = []
    for i, cell in enumerate(header_cells):
        if not cell:
            continue
        key = mapping.get(i)
        if key is None:
            unknown.append(cell)
        elif key in by_key:
            report.warnings.append(f"“{cell}”列重复，只读取第一列。")
        else:
            by_key[key] = i
    missing = [HEADER_LABEL[k] for k in required if k not in by_key]
    if missing:
        report.file_errors.append(f"缺少必需的列：{'、'.join(missing)}。请下载{what}模板核对列名。")
        return None
    if unknown:
        shown = "、".join(unknown[:20]) + ("等" if len(unknown) > 20 else "")
        report.warnings.append(f"以下列不在导入范围内，已忽略：{shown}。")
    return reader, target, header_line, by_key
