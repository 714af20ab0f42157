"""Parsing and validating roster files (R-ORG-6; FORMATS.md "Student roster").

Nothing here writes to the database: :func:`parse_students` and :func:`parse_staff` read an
.xlsx (see :mod:`anxin.roster.xlsxread`), match columns by header in any order (the national
学籍系统 export or our simpler template), check every row and return the cleaned rows with a
Chinese report, one line per problem: ``第12行：出生日期格式错误（应为YYYYMMDD或YYYY-MM-DD）``.
:mod:`anxin.roster.services` stores the report and, on commit, parses the stored file again
and writes the valid rows.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO

from anxin.core import clock
from anxin.core.roles import ROLE_SCOPE, SCHOOL_LEADERSHIP, Role, ScopeLevel
from anxin.core.validators import NAME_RE, id_check_digit, is_phone, is_valid_resident_id
from anxin.roster.models import (
    Attendance,
    IdType,
    LeftBehind,
    Sex,
    StudentStatus,
    id_index_for,
    id_indexes_for,
    student_no_index_for,
    student_no_indexes_for,
)
from anxin.roster.xlsxread import SheetReader, WorkbookError

MAX_REPORTED_ERRORS = 5000
MIN_AGE, MAX_AGE = 3, 25

# --- option columns: labels or codes in, codes out (FORMATS.md) ---------------------------------

# GB 3304-91 names of the 56 ethnic groups, in code order 01–56
ETHNIC_NAMES = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 "
    "哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 "
    "达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 "
    "俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
).split()
ETHNICITY: dict[str, str] = {}
for _i, _name in enumerate(ETHNIC_NAMES, start=1):
    _code = f"{_i:02d}"
    ETHNICITY[_name] = ETHNICITY[_name.removesuffix("族")] = ETHNICITY[_code] = _code
    ETHNICITY[str(_i)] = _code  # "1" for "01": Excel drops the leading zero of number cells
ETHNICITY_LABEL = {f"{i:02d}": n for i, n in enumerate(ETHNIC_NAMES, start=1)}


def _choices(choices, **aliases: str) -> dict[str, str]:
    out = {}
    for value, label in choices:
        out[str(value)] = value
        out[str(label)] = value
    out.update(aliases)
    return out


SEX = _choices(Sex.choices, 男性="1", 女性="2")
ID_TYPE = _choices(IdType.choices, 身份证="1", 居民身份证号="1", 二代身份证="1", 港澳居民居住证="6")
ATTENDANCE = _choices(Attendance.choices, 寄宿="2", 住读="2", 通校="1")
LEFT_BEHIND = _choices(LeftBehind.choices, 否="0", 不是="0", 单亲="1", 双亲="2")
BOOL = {
    "是": True,
    "否": False,
    "1": True,
    "0": False,
    "Y": True,
    "N": False,
    "y": True,
    "n": False,
    "TRUE": True,
    "FALSE": False,
    "true": True,
    "false": False,
    "√": True,
    "×": False,
}
# 健康状况 (GB/T 2261.3 codes as used by the 学籍系统): stored as the label
HEALTH = {"1": "健康或良好", "2": "一般或较弱", "3": "有慢性病", "6": "残疾"}
# 残疾人类型 (GB/T 26341): stored as the label; "无" stores nothing
DISABILITY = {
    "1": "视力残疾",
    "2": "听力残疾",
    "3": "言语残疾",
    "4": "肢体残疾",
    "5": "智力残疾",
    "6": "精神残疾",
    "7": "多重残疾",
    "9": "其他残疾",
}
NO_DISABILITY = {"", "0", "无", "否", "非残疾", "非残疾人", "无残疾"}
NOT_INCLUSIVE = {"", "0", "否", "无", "非随班就读"}

# --- headers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    headers: tuple[str, ...]


def _member_columns(n: int) -> list[Column]:
    return [
        Column(f"m{n}_name", (f"成员{n}姓名", f"监护人{n}姓名", f"家庭成员{n}姓名")),
        Column(f"m{n}_relation", (f"成员{n}关系", f"监护人{n}关系", f"家庭成员{n}关系")),
        Column(
            f"m{n}_phone",
            (f"成员{n}联系电话", f"成员{n}电话", f"监护人{n}联系电话", f"监护人{n}电话", f"成员{n}手机号"),
        ),
        Column(f"m{n}_guardian", (f"成员{n}是否监护人", f"监护人{n}是否监护人")),
        Column(
            f"m{n}_lives_with",
            (f"成员{n}是否同住", f"成员{n}是否与学生同住", f"成员{n}与学生同住", f"监护人{n}是否同住"),
        ),
        Column(f"m{n}_employer", (f"成员{n}工作单位", f"监护人{n}工作单位")),
    ]


STUDENT_COLUMNS: list[Column] = [
    Column("school_code", ("学校标识码",)),
    Column("student_no", ("全国学籍号", "学籍号", "全国学籍号码")),
    Column("name", ("姓名", "学生姓名")),
    Column("sex", ("性别",)),
    Column("birth_date", ("出生日期",)),
    Column("ethnicity", ("民族",)),
    Column("id_type", ("身份证件类型", "证件类型")),
    Column("id_number", ("身份证件号", "身份证件号码", "身份证号", "身份证号码", "证件号码", "证件号")),
    Column("grade", ("年级", "年级名称")),
    Column("klass", ("班级", "班级名称", "班号")),
    Column("enrolled_month", ("入学年月",)),
    Column("attendance", ("就读方式",)),
    Column("left_behind", ("是否留守儿童", "留守儿童")),
    Column("migrant", ("是否进城务工人员随迁子女", "进城务工人员随迁子女", "随迁子女")),
    Column("orphan", ("是否孤儿", "孤儿")),
    Column("only_child", ("是否独生子女", "独生子女")),
    Column("needs_aid", ("是否需要申请资助", "需要申请资助")),
    Column("health", ("健康状况",)),
    Column("inclusive", ("随班就读",)),
    Column("disability", ("残疾人类型", "残疾类型")),
    Column("address", ("现住址", "家庭住址")),
    Column("phone", ("联系电话", "学生联系电话")),
    *_member_columns(1),
    *_member_columns(2),
]
STUDENT_REQUIRED = (
    "name",
    "sex",
    "birth_date",
    "id_number",
    "grade",
    "klass",
    "m1_name",
    "m1_relation",
    "m1_phone",
    "m1_guardian",
)

STAFF_COLUMNS: list[Column] = [
    Column("name", ("姓名", "教职工姓名")),
    Column("phone", ("手机号", "手机号码", "联系电话")),
    Column("role", ("岗位", "岗位角色", "角色")),
    Column("grade", ("年级",)),
    Column("klass", ("班级",)),
]
STAFF_REQUIRED = ("name", "phone", "role")

# the headers of our own templates, in order (roster.services builds the .xlsx from these)
STUDENT_TEMPLATE_HEADERS = [
    "全国学籍号",
    "姓名",
    "性别",
    "出生日期",
    "民族",
    "身份证件类型",
    "身份证件号",
    "年级",
    "班级",
    "就读方式",
    "入学年月",
    "是否留守儿童",
    "是否进城务工人员随迁子女",
    "是否孤儿",
    "是否独生子女",
    "是否需要申请资助",
    "现住址",
    "联系电话",
    "成员1姓名",
    "成员1关系",
    "成员1联系电话",
    "成员1是否监护人",
    "成员1是否同住",
    "成员1工作单位",
    "成员2姓名",
    "成员2关系",
    "成员2联系电话",
    "成员2是否监护人",
    "成员2是否同住",
    "成员2工作单位",
]
STAFF_TEMPLATE_HEADERS = ["姓名", "手机号", "岗位", "年级", "班级"]

NOTES_SHEETS = {"说明", "填写说明", "填表说明"}
_HEADER_DROP = re.compile(r"[\s*＊:：]|\((必填|选填|可选|必须)\)")


def normalize_header(text: str) -> str:
    return _HEADER_DROP.sub("", unicodedata.normalize("NFKC", text or ""))


def _header_map(columns: list[Column]) -> dict[str, str]:
    out = {}
    for col in columns:
        for h in col.headers:
            out[normalize_header(h)] = col.key
    return out


STUDENT_HEADERS = _header_map(STUDENT_COLUMNS)
STAFF_HEADERS = _header_map(STAFF_COLUMNS)
HEADER_LABEL = {c.key: c.headers[0] for c in STUDENT_COLUMNS + STAFF_COLUMNS}

# --- grades and classes -------------------------------------------------------------------------

GRADE_YEARS = {
    "一年级": 1,
    "二年级": 2,
    "三年级": 3,
    "四年级": 4,
    "五年级": 5,
    "六年级": 6,
    "七年级": 7,
    "八年级": 8,
    "九年级": 9,
    "初一": 7,
    "初二": 8,
    "初三": 9,
    "初中一年级": 7,
    "初中二年级": 8,
    "初中三年级": 9,
    "高一": 10,
    "高二": 11,
    "高三": 12,
    "高中一年级": 10,
    "高中二年级": 11,
    "高中三年级": 12,
    "十年级": 10,
    "十一年级": 11,
    "十二年级": 12,
}
# 学籍系统 grade codes: 11–16 小学, 21–23 初中, 31–33 高中
GRADE_CODES = (
    {f"1{i}": i for i in range(1, 7)}
    | {f"2{i}": 6 + i for i in range(1, 4)}
    | {f"3{i}": 9 + i for i in range(1, 4)}
)
GRADE_NAMES = {
    1: "一年级",
    2: "二年级",
    3: "三年级",
    4: "四年级",
    5: "五年级",
    6: "六年级",
    7: "初一",
    8: "初二",
    9: "初三",
    10: "高一",
    11: "高二",
    12: "高三",
}
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def grade_year(text: str) -> int | None:
    """The grade number 1–12 of a 年级 cell: 初一 / 七年级 / 7年级 / 2024级? (no) / code 21."""
    t = normalize_header(text)
    if t in GRADE_YEARS:
        return GRADE_YEARS[t]
    if t in GRADE_CODES:
        return GRADE_CODES[t]
    m = re.fullmatch(r"(\d{1,2})(年级)?", t)
    if m and 1 <= int(m.group(1)) <= 12:
        return int(m.group(1))
    return None


def class_number(text: str) -> int | None:
    """The number of a 班级 cell: 1班 / (1)班 / 初一1班 / 七年级（1）班 / 一班 / 01."""
    t = normalize_header(text)
    m = re.search(r"(\d{1,3})\)?班?$", t)
    if m:
        return int(m.group(1))
    m = re.search(r"([一二三四五六七八九十]{1,3})\)?班$", t)
    if m:
        s = m.group(1)
        if len(s) == 1:
            return _CN_DIGITS[s]
        if s.startswith("十"):
            return 10 + _CN_DIGITS.get(s[1:], 0)
        if len(s) == 2 and s[1] == "十":
            return _CN_DIGITS[s[0]] * 10
        if len(s) == 3 and s[1] == "十":
            return _CN_DIGITS[s[0]] * 10 + _CN_DIGITS[s[2]]
    return None


@dataclass
class ClassIndex:
    """The school's grades and classes, to resolve (年级, 班级) cells; and the classes the
    import would create when the user ticked "create missing classes"."""

    by_name: dict[tuple[str, str], int] = field(default_factory=dict)
    by_number: dict[tuple[int, int], int] = field(default_factory=dict)
    grade_by_name: dict[str, int] = field(default_factory=dict)  # grade name -> year
    to_create: dict[tuple[int, int | str], str] = field(default_factory=dict)  # key -> label

    @classmethod
    def for_school(cls, school_id: int) -> ClassIndex:
        from anxin.org.models import SchoolClass

        idx = cls()
        for k in SchoolClass.objects.filter(school_id=school_id, active=True).select_related("grade"):
            gname = normalize_header(k.grade.name)
            idx.by_name[(gname, normalize_header(k.name))] = k.pk
            idx.grade_by_name[gname] = k.grade.year
            num = class_number(k.name)
            if num is not None:
                idx.by_number.setdefault((k.grade.year, num), k.pk)
        return idx

    def resolve(self, grade_text: str, class_text: str) -> tuple[int | None, tuple | None, str | None]:
        """(class id, key of a class to create, error). Exact names first, then numbers."""
        g, c = normalize_header(grade_text), normalize_header(class_text)
        found = self.by_name.get((g, c))
        if found:
            return found, None, None
        year = self.grade_by_name.get(g) or grade_year(grade_text)
        if year is None:
            return None, None, f"年级“{grade_text[:20]}”无法识别（如：一年级、初一、七年级、高一）"
        num = class_number(class_text)
        if num is not None:
            found = self.by_number.get((year, num))
            if found:
                return found, None, None
            return None, (year, num), None
        if not c or len(c) > 20:
            return None, None, f"班级“{class_text[:20]}”无法识别（如：1班）"
        return None, (year, c), None

    @staticmethod
    def label(key: tuple) -> str:
        year, c = key
        return f"{GRADE_NAMES[year]}{c}班" if isinstance(c, int) else f"{GRADE_NAMES[year]}{c}"


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


def parse_students(fileobj: IO[bytes], size: int, ctx: StudentContext) -> StudentParse:
    """Read and check a student roster (FORMATS.md table, row by row)."""
    report = Report()
    result = StudentParse(report, [], set(), set(), {})
    opened = _open(fileobj, size, report, STUDENT_HEADERS, STUDENT_REQUIRED, "学生名册")
    if opened is None:
        return result
    reader, target, header_line, col = opened
    present = {k for k in col if k in _STUDENT_FIELD_OF}
    result.present = {_STUDENT_FIELD_OF[k] for k in present}
    if "id_type" not in col:
        result.present.add("id_type")  # defaults to 居民身份证 (or 无 when the number is empty)
    if "inclusive" in col:
        result.present.add("disability")
    result.member_positions = {n for n in (1, 2) if f"m{n}_name" in col}
    get_idx = list(col.items())
    seen_no: dict[str, int] = {}
    seen_id: dict[str, int] = {}
    seen_match: dict[int, int] = {}
    dup_told: set[tuple[str, int]] = set()
    rows_by_line: dict[int, StudentRow] = {}
    intern: dict[str, str] = {}
    for line, cells in reader.rows(target, columns=set(col.values())):
        if line <= header_line:
            continue
        n = len(cells)
        raw = {k: (cells[i] if i < n else "") for k, i in get_idx}
        if STUDENT_HEADERS.get(normalize_header(raw["name"])) == "name":
            continue  # a repeated header row (files glued together, a second header line)
        report.total_rows += 1
        # duplicates inside the file, on the raw keys and before any other check: both rows are
        # wrong and the user must say which is right. (Checked after the row's own checks, a
        # copied ID under another student surfaced only as a sex/birth mismatch on one row.)
        dup = False
        no_key, id_key = _file_keys(raw)
        for key, seen, label in ((no_key, seen_no, "全国学籍号"), (id_key, seen_id, "身份证件号")):
            if not key or (dup and label == "身份证件号"):
                continue  # the same row copied twice is named once, by its 学籍号
            first = seen.setdefault(key, line)
            if first != line:
                report.error(line, f"{label}与第{first}行重复")
                if (label, first) not in dup_told:
                    dup_told.add((label, first))
                    report.error(first, f"{label}与第{line}行重复")
                dup = True
        row = _check_student(line, raw, ctx, report, intern)
        if row is None or dup:
            continue
        if row.match_pk is not None:
            first = seen_match.setdefault(row.match_pk, line)
            if first != line:
                report.error(line, f"与第{first}行是同一名已有学生")
                continue
        rows_by_line[line] = row
        if row.class_key is not None:
            result.classes_to_create[row.class_key] = ClassIndex.label(row.class_key)
    if report.total_rows == 0:
        report.file_errors.append("文件中没有学生数据（表头下面是空的）。")
    result.rows = [r for line, r in rows_by_line.items() if line not in report.bad_lines]
    needed = {r.class_key for r in result.rows if r.class_key is not None}
    result.classes_to_create = {k: v for k, v in result.classes_to_create.items() if k in needed}
    if result.classes_to_create:
        labels = "、".join(sorted(result.classes_to_create.values())[:30])
        report.warnings.append(f"导入时将新建 {len(result.classes_to_create)} 个班级：{labels}。")
    return result


def _file_keys(raw: dict[str, str]) -> tuple[str | None, str | None]:
    """The 全国学籍号 and (证件类型, 证件号) of a raw row, normalised as the row check does, for
    the in-file duplicate check (which must not depend on the rest of the row being valid)."""
    no = nfkc(raw.get("student_no", "")).replace(" ", "").upper() or None
    number = nfkc(raw.get("id_number", "")).replace(" ", "").upper()
    id_type = IdType.RESIDENT
    if raw.get("id_type"):
        id_type = ID_TYPE.get(raw["id_type"]) or ID_TYPE.get(nfkc(raw["id_type"])) or raw["id_type"]
    if not number or id_type == IdType.NONE:
        return no, None
    return no, (number if id_type == IdType.RESIDENT else f"{id_type}:{number}")


# file column -> Student field (member columns are handled apart)
_STUDENT_FIELD_OF = {
    "student_no": "student_no",
    "name": "name",
    "sex": "sex",
    "birth_date": "birth_date",
    "ethnicity": "ethnicity",
    "id_type": "id_type",
    "id_number": "id_number",
    "enrolled_month": "enrolled_month",
    "attendance": "attendance",
    "left_behind": "left_behind",
    "migrant": "migrant",
    "orphan": "orphan",
    "only_child": "only_child",
    "needs_aid": "needs_aid",
    "health": "health",
    "disability": "disability",
    "address": "address",
    "phone": "phone",
}


def _option(raw: str, table: dict, label: str, line: int, report: Report, hint: str):
    value = table.get(raw) if raw else None
    if raw and value is None:
        value = table.get(nfkc(raw))
        if value is None:
            report.error(line, f"{label}“{raw[:20]}”无法识别（应为{hint}）")
    return value


def _check_student(
    line: int, raw: dict[str, str], ctx: StudentContext, report: Report, intern: dict[str, str]
) -> StudentRow | None:
    """One row against FORMATS.md; adds its errors to ``report``; None when it has any."""
    errors_before = len(report.row_errors)
    err = report.error
    v: dict = {}

    code = raw.get("school_code")
    if code and nfkc(code) != ctx.school_code:
        err(line, f"学校标识码{nfkc(code)[:12]}与导入学校的标识码{ctx.school_code}不一致")

    name = "".join(raw["name"].split())
    problem = check_name(name)
    if problem:
        err(line, problem)
    v["name"] = name

    sex = _option(raw["sex"], SEX, "性别", line, report, "男/女或1/2")
    if not raw["sex"]:
        err(line, "性别不能为空")
    v["sex"] = sex

    birth = None
    if not raw["birth_date"]:
        err(line, "出生日期不能为空")
    else:
        birth = parse_date(raw["birth_date"])
        if birth is None:
            err(line, "出生日期格式错误（应为YYYYMMDD或YYYY-MM-DD）")
        else:
            problem = check_age(birth, ctx.today)
            if problem:
                err(line, problem)
    v["birth_date"] = birth

    if "ethnicity" in raw:
        eth = raw["ethnicity"]
        v["ethnicity"] = ""
        if eth:
            code = ETHNICITY.get(eth) or ETHNICITY.get(nfkc(eth))
            if code is None:
                err(line, f"民族“{eth[:10]}”无法识别（应为56个民族名称或代码01–56）")
            v["ethnicity"] = code or ""

    id_number = nfkc(raw["id_number"]).replace(" ", "").upper()
    id_ok = False
    if raw.get("id_type"):
        id_type = _option(raw["id_type"], ID_TYPE, "身份证件类型", line, report, "居民身份证等类型名称或代码")
    elif id_number:  # no type given: the number is a 居民身份证
        id_type = IdType.RESIDENT
    else:
        id_type = None
        err(line, "身份证件号不能为空（无证件时身份证件类型填“无”）")
    v["id_type"] = id_type
    if id_type == IdType.NONE:
        if id_number:
            err(line, "身份证件类型为“无”时身份证件号应为空")
    elif id_type is not None:
        if not id_number:
            err(line, "身份证件号不能为空（无证件时身份证件类型填“无”）")
        elif id_type == IdType.RESIDENT:
            problem = check_resident_id(id_number)
            if problem:
                err(line, problem)
            else:
                id_ok = True
                if sex and (int(id_number[16]) % 2 == 1) != (sex == Sex.MALE):
                    err(line, "性别与身份证件号第17位不符（奇数为男，偶数为女）")
                if birth and id_number[6:14] != birth.strftime("%Y%m%d"):
                    err(line, "出生日期与身份证件号中的出生日期不符")
        elif not re.fullmatch(r"[A-Z0-9()\-]{4,30}", id_number):
            err(line, "身份证件号格式错误（应为4至30位字母或数字）")
    v["id_number"] = id_number if id_type != IdType.NONE else ""
    id_index = id_index_for(id_type, id_number) if id_type else None

    no = nfkc(raw.get("student_no", "")).replace(" ", "").upper()
    if no and not (no[1:] == id_number and no[0] in "GJ" and id_type == IdType.RESIDENT and id_ok):
        problem = check_student_no(no)  # (G or J + the ID number just checked needs no second check)
        if problem:
            err(line, problem)
    if "student_no" in raw:
        v["student_no"] = no or None

    # 年级, 班级: an existing class of the school, or one to create when the user allowed it
    klass_id, class_key = None, None
    if not raw["grade"] or not raw["klass"]:
        err(line, "年级和班级不能为空")
    else:
        klass_id, class_key, problem = ctx.classes.resolve(raw["grade"], raw["klass"])
        if problem:
            err(line, problem)
        elif class_key is not None and not ctx.create_classes:
            err(line, f"本校没有“{ClassIndex.label(class_key)}”，请先建立该班级，或勾选“自动创建缺少的班级”")

    if "enrolled_month" in raw:
        m = nfkc(raw["enrolled_month"]).replace("-", "").replace("/", "").replace(".", "")
        if len(m) == 8 and parse_date(raw["enrolled_month"]):  # a date cell: keep year and month
            m = m[:6]
        v["enrolled_month"] = ""
        if m:
            if not _MONTH.fullmatch(m):
                err(line, "入学年月格式错误（应为YYYYMM，如202409）")
            elif m > ctx.today.strftime("%Y%m"):
                err(line, "入学年月不能晚于本月")
            else:
                v["enrolled_month"] = m

    if "attendance" in raw:
        v["attendance"] = (
            _option(raw["attendance"], ATTENDANCE, "就读方式", line, report, "走读/住校或1/2")
            or Attendance.DAY
        )
    if "left_behind" in raw:
        v["left_behind"] = (
            _option(
                raw["left_behind"],
                LEFT_BEHIND,
                "是否留守儿童",
                line,
                report,
                "非留守/单亲留守/双亲留守或0/1/2",
            )
            or LeftBehind.NO
        )
    for key, label in (
        ("migrant", "是否进城务工人员随迁子女"),
        ("orphan", "是否孤儿"),
        ("only_child", "是否独生子女"),
        ("needs_aid", "是否需要申请资助"),
    ):
        if key in raw:
            v[key] = bool(_option(raw[key], BOOL, label, line, report, "是/否或1/0"))

    if "health" in raw:
        h = nfkc(raw["health"])
        h = HEALTH.get(h, h)
        if len(h) > 30:
            err(line, "健康状况过长（最多30字）")
        v["health"] = h
    if "disability" in raw or "inclusive" in raw:
        parts = []
        d = nfkc(raw.get("disability", ""))
        if d not in NO_DISABILITY:
            parts.append(DISABILITY.get(d, d))
        inc = nfkc(raw.get("inclusive", ""))
        if inc not in NOT_INCLUSIVE:
            parts.append("随班就读")
        v["disability"] = "；".join(parts)
        if len(v["disability"]) > 60:
            err(line, "残疾人类型过长")
    if "address" in raw:
        addr = raw["address"]
        if len(addr) > 120:
            err(line, "现住址过长（最多120字）")
        v["address"] = addr[:120]
    if "phone" in raw:
        p = clean_phone(raw["phone"])
        if p and not is_phone(p):
            err(line, "联系电话格式错误（手机号为1开头的11位数字，固定电话如0951-1234567）")
        v["phone"] = p

    members: list[Member] = []
    for n in (1, 2):
        if f"m{n}_name" not in raw:
            continue
        mname = "".join(raw[f"m{n}_name"].split())
        relation = raw.get(f"m{n}_relation", "").strip()
        mphone = clean_phone(raw.get(f"m{n}_phone", ""))
        flag = raw.get(f"m{n}_guardian", "")
        if n == 2 and not (mname or relation or mphone):
            continue
        label = f"成员{n}"
        if not mname:
            err(line, f"{label}姓名不能为空")
        elif not NAME_RE.match(mname):
            err(line, f"{label}姓名须为1至50个汉字或字母，可含“·”")
        if not relation:
            err(line, f"{label}关系不能为空")
        elif len(relation) > 20:
            err(line, f"{label}关系过长（最多20字）")
        if not mphone:
            err(line, f"{label}联系电话不能为空")
        elif not is_phone(mphone):
            err(line, f"{label}联系电话格式错误（手机号为1开头的11位数字，固定电话如0951-1234567）")
        is_guardian = bool(_option(flag, BOOL, f"{label}是否监护人", line, report, "是/否"))
        lives = raw.get(f"m{n}_lives_with")  # absent or blank: not stated, keep what is stored
        lives_with = bool(_option(lives, BOOL, f"{label}是否同住", line, report, "是/否")) if lives else None
        employer = raw.get(f"m{n}_employer")
        if employer is not None and len(employer) > 100:
            err(line, f"{label}工作单位过长（最多100字）")
        members.append(
            Member(
                n,
                intern.setdefault(mname, mname),
                intern.setdefault(relation, relation),
                mphone,
                is_guardian,
                lives_with,
                employer[:100] if employer is not None else None,
            )
        )
    if members and not any(m.is_guardian for m in members):
        err(line, "至少须有一名成员标记为监护人（是否监护人填“是”）")

    if len(report.row_errors) > errors_before:
        return None

    # matching an existing student (FORMATS.md): 学籍号, else (证件类型, 证件号), else (school, 姓名, 出生日期)
    no_index = student_no_index_for(no)
    # looked up under every configured key: rows indexed before a key rotation still match
    by_no = _first_hit(ctx.by_no, student_no_indexes_for(no)) if no_index else None
    by_id = _first_hit(ctx.by_id, id_indexes_for(id_type, id_number)) if id_index else None
    if by_no and by_id and by_no[0] != by_id[0]:
        err(line, "全国学籍号与身份证件号分别属于两名不同的已有学生，请核对")
        return None
    match = by_no or by_id
    match_pk = match_school = None
    if match:
        match_pk, match_school, status = match
        if match_school != ctx.school_id and status == StudentStatus.ENROLLED:
            what = "全国学籍号" if by_no else "身份证件号"
            err(line, f"{what}已被本县其他学校的在读学生使用（转学须由原学校先办理转出）")
            return None
    elif not no and not id_index:
        match_pk = ctx.by_name_birth.get((name, birth))
        match_school = ctx.school_id if match_pk else None
    for key in ("sex", "id_type", "ethnicity", "attendance", "left_behind", "health"):
        if key in v and isinstance(v[key], str):
            v[key] = intern.setdefault(v[key], v[key])
    return StudentRow(line, v, id_index, klass_id, class_key, members, match_pk, match_school, no_index)


# --- staff --------------------------------------------------------------------------------------

ROLE_BY_LABEL: dict[str, str] = {}
for _value, _label in Role.choices:
    ROLE_BY_LABEL[str(_label)] = _value
    ROLE_BY_LABEL[_value] = _value
ROLE_BY_LABEL.update(
    {
        "德育主任": Role.MIDDLE_MANAGER,
        "政教主任": Role.MIDDLE_MANAGER,
        "宿管": Role.SECURITY_STAFF,
        "保安": Role.SECURITY_STAFF,
        "心理健康教师": Role.COUNSELLOR,
        "副校长（分管安全）": Role.SAFETY_LEADER,
        "分管安全校长": Role.SAFETY_LEADER,
    }
)
STAFF_ROLES = [
    r
    for r in Role.values
    if ROLE_SCOPE[r] in (ScopeLevel.SCHOOL, ScopeLevel.CLASS) and r not in (Role.SUPERVISOR, Role.LEGAL_VP)
]


@dataclass(slots=True)
class StaffRow:
    line: int
    name: str
    phone: str
    role: str
    klass_id: int | None
    class_key: tuple | None


@dataclass
class StaffParse:
    report: Report
    rows: list[StaffRow]
    classes_to_create: dict[tuple, str]


def parse_staff(
    fileobj: IO[bytes],
    size: int,
    school,
    create_classes: bool,
    may_lead: bool,
    phone_owner: Callable[[Iterable[str]], dict[str, tuple[str, int | None, set[str]]]],
) -> StaffParse:
    """Read and check a staff list (教职工: 姓名, 手机号, 岗位, 年级, 班级). ``may_lead``: the
    uploader may appoint school leaders (校长, 分管安全副校长: only the bureau administrator).
    ``phone_owner(phones)`` tells, for phones already used by accounts, (real name, county id,
    held roles)."""
    report = Report()
    result = StaffParse(report, [], {})
    opened = _open(fileobj, size, report, STAFF_HEADERS, STAFF_REQUIRED, "教职工")
    if opened is None:
        return result
    reader, target, header_line, col = opened
    classes = ClassIndex.for_school(school.pk)
    raw_rows = []
    for line, cells in reader.rows(target, columns=set(col.values())):
        if line > header_line:
            raw_rows.append((line, {k: (cells[i].strip() if i < len(cells) else "") for k, i in col.items()}))
    report.total_rows = len(raw_rows)
    if not raw_rows:
        report.file_errors.append("文件中没有教职工数据（表头下面是空的）。")
        return result
    owners = phone_owner({clean_phone(r["phone"]) for _l, r in raw_rows})
    names_by_phone: dict[str, tuple[str, int]] = {}
    seen_posts: dict[tuple, int] = {}
    for line, raw in raw_rows:
        before = len(report.row_errors)
        name = "".join(raw["name"].split())
        problem = check_name(name)
        if problem:
            report.error(line, problem)
        phone = clean_phone(raw["phone"])
        if not re.fullmatch(r"1\d{10}", phone):
            report.error(line, "手机号格式错误（应为1开头的11位数字）")
        role = ROLE_BY_LABEL.get(nfkc(raw["role"]).replace(" ", ""))
        if not raw["role"]:
            report.error(line, "岗位不能为空")
        elif role is None:
            report.error(
                line, f"岗位“{raw['role'][:20]}”无法识别（如：班主任、任课教师、心理教师、宿管/保安）"
            )
        elif role not in STAFF_ROLES:
            report.error(line, f"岗位“{Role(role).label}”不能通过学校教职工导入，请由教体局在账号管理中设置")
            role = None
        elif role in SCHOOL_LEADERSHIP and not may_lead:
            report.error(line, f"“{Role(role).label}”属于学校领导岗位，只能由教体局系统管理员导入或任命")
        klass_id = class_key = None
        if role and ROLE_SCOPE[role] == ScopeLevel.CLASS:
            if not raw.get("grade") or not raw.get("klass"):
                report.error(line, f"“{Role(role).label}”须填写年级和班级")
            else:
                klass_id, class_key, problem = classes.resolve(raw["grade"], raw["klass"])
                if problem:
                    report.error(line, problem)
                elif class_key is not None and not create_classes:
                    report.error(
                        line,
                        f"本校没有“{ClassIndex.label(class_key)}”，请先建立该班级，或勾选“自动创建缺少的班级”",
                    )
        if phone and name:
            first = names_by_phone.setdefault(phone, (name, line))
            if first[0] != name:
                report.error(line, f"手机号与第{first[1]}行相同但姓名不同")
            owner = owners.get(phone)
            if owner:
                owner_name, owner_county, owner_roles = owner
                if owner_county != school.county_id:
                    report.error(line, "手机号已被其他县区的账号使用")
                elif owner_name != name:
                    report.error(line, "手机号已被另一姓名的账号使用，请核对")
                elif owner_roles & {Role.BUREAU_ADMIN, Role.AUDITOR}:
                    report.error(line, "该手机号的账号是系统管理员或审计员，按职责分离不能兼任学校岗位")
        if role:
            post = (phone, role, klass_id if klass_id else class_key)
            first_line = seen_posts.setdefault(post, line)
            if first_line != line:
                report.error(line, f"与第{first_line}行重复（同一人同一岗位）")
        if len(report.row_errors) == before:
            result.rows.append(StaffRow(line, name, phone, role, klass_id, class_key))
            if class_key is not None:
                result.classes_to_create[class_key] = ClassIndex.label(class_key)
    result.rows = [r for r in result.rows if r.line not in report.bad_lines]
    if result.classes_to_create:
        labels = "、".join(sorted(result.classes_to_create.values())[:30])
        report.warnings.append(f"导入时将新建 {len(result.classes_to_create)} 个班级：{labels}。")
    return result


__all__ = [
    "ETHNICITY_LABEL",
    "Report",
    "StudentContext",
    "StudentParse",
    "StudentRow",
    "WorkbookError",
    "parse_staff",
    "parse_students",
]
