"""Parsing a staff file: ``parse_staff``, the staff row, roles by their Chinese labels."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO

from anxin.core.roles import ROLE_SCOPE, SCHOOL_LEADERSHIP, Role, ScopeLevel

from .checks import Report, check_name, clean_phone, nfkc
from .columns import STAFF_HEADERS, STAFF_REQUIRED
from .grades import ClassIndex
from .rows import _open

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
