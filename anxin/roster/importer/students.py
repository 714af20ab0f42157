"""Parsing a student file: ``parse_students`` and the checks of one row (options, identity,
class, family members, matches against the school's roster).
"""

from __future__ import annotations

import re
from typing import IO

from anxin.core.validators import NAME_RE, is_phone
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

from .checks import (
    _MONTH,
    Report,
    _first_hit,
    check_age,
    check_name,
    check_resident_id,
    check_student_no,
    clean_phone,
    nfkc,
    parse_date,
)
from .columns import (
    ATTENDANCE,
    BOOL,
    DISABILITY,
    ETHNICITY,
    HEALTH,
    ID_TYPE,
    LEFT_BEHIND,
    NO_DISABILITY,
    NOT_INCLUSIVE,
    SEX,
    STUDENT_HEADERS,
    STUDENT_REQUIRED,
    normalize_header,
)
from .grades import ClassIndex
from .rows import Member, StudentContext, StudentParse, StudentRow, _open


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
