"""The ``Report`` of one file (errors by row, warnings) and the cell checks shared with the edit
form: dates, student numbers, resident IDs, ages, names, phones.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from anxin.core import clock
from anxin.core.validators import NAME_RE, id_check_digit, is_valid_resident_id

MAX_REPORTED_ERRORS = 5000
MIN_AGE, MAX_AGE = 3, 25

# --- report -------------------------------------------------------------------------------------


@dataclass
class Report:
    """Errors and warnings of one file. Row errors are kept with their row number and sorted
    by row when the report is read out."""

    file_errors: list[str] = field(default_factory=list)
    row_errors: list[tuple[int, int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    total_rows: int = 0
    bad_lines: set[int] = field(default_factory=set)
    header_row: int = 0

    def error(self, line: int, message: str) -> None:
        self.row_errors.append((line, len(self.row_errors), f"第{line}行：{message}"))
        self.bad_lines.add(line)

    @property
    def has_errors(self) -> bool:
        return bool(self.file_errors or self.row_errors)

    @property
    def error_count(self) -> int:
        return len(self.file_errors) + len(self.row_errors)

    @property
    def valid_rows(self) -> int:
        return 0 if self.file_errors else self.total_rows - len(self.bad_lines)

    def error_lines(self, limit: int = MAX_REPORTED_ERRORS) -> list[str]:
        out = list(self.file_errors)
        rows = sorted(self.row_errors)
        out.extend(text for _l, _s, text in rows[:limit])
        if len(rows) > limit:
            out.append(f"……另有 {len(rows) - limit} 条错误未列出，请先改正以上错误后重新上传。")
        return out


# --- cell checks (shared with the edit form) ----------------------------------------------------

_ID18 = re.compile(r"\d{17}[\dX]")
_MONTH = re.compile(r"\d{4}(0[1-9]|1[0-2])")
_DATE_RE = re.compile(r"(\d{4})-?(\d{1,2})-?(\d{1,2})")


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip() if text else ""


def parse_date(text: str) -> dt.date | None:
    """YYYYMMDD or YYYY-MM-DD (also YYYY/MM/DD and YYYY.MM.DD, as Excel shows them)."""
    t = nfkc(text).replace("/", "-").replace(".", "-")
    if len(t) > 10 and t[10] in " T":
        t = t[:10]
    m = _DATE_RE.fullmatch(t)
    if not m or ("-" not in t and len(t) != 8):
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _first_hit(table: dict, indexes: list[str]):
    """The first of ``indexes`` (blind indexes under each configured key) found in ``table``."""
    for index in indexes:
        hit = table.get(index)
        if hit is not None:
            return hit
    return None


def check_student_no(value: str) -> str | None:
    """全国学籍号: G or J + an 18-digit ID body with a valid check digit, or L + 18 digits."""
    if len(value) != 19:
        return "全国学籍号应为19位（G或J加18位身份证件号，或L加18位数字）"
    head, body = value[0], value[1:]
    if head in "GJ":
        if not _ID18.fullmatch(body):
            return "全国学籍号格式错误（G或J后应为18位身份证件号）"
        if id_check_digit(body[:17]) != body[17]:
            return "全国学籍号校验位错误"
        return None
    if head == "L":
        return None if body.isdigit() else "全国学籍号格式错误（L后应为18位数字）"
    return "全国学籍号应以G、J或L开头"


def check_resident_id(value: str) -> str | None:
    if not _ID18.fullmatch(value):
        return "身份证件号格式错误（应为17位数字加1位校验码0–9或X）"
    if not is_valid_resident_id(value):
        return "身份证件号校验位错误，请核对"
    if parse_date(value[6:14]) is None:
        return "身份证件号中的出生日期无效"
    return None


def check_age(birth: dt.date, today: dt.date | None = None) -> str | None:
    today = today or clock.today()
    if birth > today:
        return "出生日期不能晚于今天"
    age = clock.age_on(birth, today)
    if not MIN_AGE <= age <= MAX_AGE:
        return f"出生日期不合理（年龄{age}岁，应在{MIN_AGE}至{MAX_AGE}岁之间）"
    return None


def check_name(value: str) -> str | None:
    if not value:
        return "姓名不能为空"
    if not NAME_RE.match(value):
        return "姓名须为1至50个汉字或字母，可含“·”"
    return None


def clean_phone(value: str) -> str:
    return nfkc(value).replace(" ", "").replace("—", "-").replace("－", "-")
