"""The roster export (rows in the 学籍系统's order) and the .xlsx templates with notes and examples."""

from __future__ import annotations

from collections.abc import Iterator

from anxin.core.roles import Role
from anxin.roster import importer
from anxin.roster.models import (
    RosterImport,
    Student,
)

# --- export -------------------------------------------------------------------------------------

EXPORT_HEADER = [
    "学校",
    "年级",
    "班级",
    "全国学籍号（脱敏）",
    "姓名",
    "性别",
    "出生日期",
    "民族",
    "身份证件号（脱敏）",
    "就读方式",
    "是否留守儿童",
    "是否进城务工人员随迁子女",
    "是否孤儿",
    "是否独生子女",
    "是否需要申请资助",
    "现住址",
    "联系电话",
    "学籍状态",
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


def _yn(value: bool) -> str:
    return "是" if value else "否"


def export_row(s: Student) -> list:
    """One student as a row of EXPORT_HEADER; guardians from ``s.guardians`` (prefetch them).
    The ID number and the 学籍号 (which carries it) are masked and health data left out:
    exports leave the system (LAW 20)."""
    row = [
        s.school.name,
        s.klass.grade.name,
        s.klass.name,
        s.student_no_masked,  # it carries the ID number: masked like it
        s.name,
        s.get_sex_display(),
        s.birth_date.isoformat(),
        importer.ETHNICITY_LABEL.get(s.ethnicity, s.ethnicity),
        s.id_masked,
        s.get_attendance_display(),
        s.get_left_behind_display(),
        _yn(s.migrant),
        _yn(s.orphan),
        _yn(s.only_child),
        _yn(s.needs_aid),
        s.address,
        s.phone,
        s.get_status_display(),
    ]
    members = {g.position: g for g in s.guardians.all()}
    for pos in (1, 2):
        g = members.get(pos)
        row += (
            [g.name, g.relation, g.phone, _yn(g.is_guardian), _yn(g.lives_with), g.employer]
            if g
            else [""] * 6
        )
    return row


def export_queryset(queryset):
    return queryset.select_related("school", "klass__grade").prefetch_related("guardians")


def export_rows(queryset) -> Iterator[list]:
    """Rows for the .xlsx export (core.xlsx defuses formula injection), streamed in chunks
    of 2000 with their guardians prefetched: a bounded number of queries per chunk."""
    for s in export_queryset(queryset).iterator(chunk_size=2000):
        yield export_row(s)


# --- templates ----------------------------------------------------------------------------------

STUDENT_NOTES = [
    (
        "全国学籍号",
        "选填",
        "19位：G或J加18位身份证件号，或L加18位数字（临时学籍号）。有学籍号时按学籍号识别学生。",
    ),
    ("姓名", "必填", "1至50个汉字或字母，可含“·”。"),
    ("性别", "必填", "男/女，或代码1/2；须与身份证件号第17位一致（奇数为男）。"),
    ("出生日期", "必填", "YYYYMMDD或YYYY-MM-DD，如20120501；须与身份证件号中的出生日期一致，年龄3至25岁。"),
    ("民族", "选填", "56个民族名称（如汉族、回族）或代码01–56。"),
    ("身份证件类型", "选填", "居民身份证（1）、护照（4）、无（0）等；不填时按居民身份证。"),
    ("身份证件号", "必填", "居民身份证为18位，末位可为X；证件类型为“无”时不填。全县唯一，加密保存。"),
    ("年级、班级", "必填", "如“初一”“1班”，须是本校已有班级；上传时勾选“自动创建缺少的班级”可一并建立。"),
    ("就读方式", "选填", "走读/住校，或1/2。"),
    ("入学年月", "选填", "YYYYMM，如202409。"),
    ("是否留守儿童", "选填", "非留守/单亲留守/双亲留守，或0/1/2。"),
    ("是否进城务工人员随迁子女等", "选填", "是/否，或1/0。"),
    ("联系电话", "选填", "手机号为1开头的11位数字；固定电话如0951-1234567。"),
    ("成员1姓名、关系、联系电话", "必填", "家庭成员或监护人；成员2选填。"),
    ("成员1/2是否监护人", "必填", "是/否；每名学生至少一名成员为监护人。"),
    ("成员1/2是否同住、工作单位", "选填", "是否与学生同住：是/否。"),
    ("全国学籍系统导出的文件", "", "可直接上传，按列名识别，列的顺序不限；本系统不用的列会被忽略。"),
    ("重复导入", "", "同一文件再次导入不会改变任何数据；学生调班、转学会保留就读经历。"),
]
STUDENT_EXAMPLE = [
    "G11010520120501008X",
    "张小明",
    "女",
    "20120501",
    "汉族",
    "居民身份证",
    "11010520120501008X",
    "初一",
    "1班",
    "走读",
    "202409",
    "非留守",
    "否",
    "否",
    "是",
    "否",
    "贺兰县习岗镇某村3组",
    "13900000000",
    "张大山",
    "父亲",
    "13900000001",
    "是",
    "是",
    "贺兰县某公司",
    "李小花",
    "母亲",
    "13900000002",
    "是",
    "是",
    "",
]
STAFF_NOTES = [
    ("姓名", "必填", "教职工姓名。"),
    ("手机号", "必填", "1开头的11位数字；作为登录名，已有账号按手机号识别。"),
    (
        "岗位",
        "必填",
        "班主任、任课教师、德育/政教主任、心理教师、宿管/保安；校长、分管安全副校长只能由教体局系统管理员导入。",
    ),
    ("年级、班级", "班主任、任课教师必填", "如“初一”“1班”。"),
    ("初始密码", "", "新账号的初始密码在导入完成后只显示一次，本人首次登录须修改。"),
]
_LISTS = {
    "性别": "男,女",
    "身份证件类型": "居民身份证,港澳居民来往内地通行证,台湾居民来往大陆通行证,护照,港澳台居民居住证,"
    "外国人永久居留身份证,出生证明,其他,无",
    "就读方式": "走读,住校",
    "是否留守儿童": "非留守,单亲留守,双亲留守",
}
_TEXT_COLUMNS = {
    "全国学籍号",
    "出生日期",
    "身份证件号",
    "入学年月",
    "联系电话",
    "手机号",
    "成员1联系电话",
    "成员2联系电话",
}


def template_bytes(kind: str) -> bytes:
    """The downloadable .xlsx template: a data sheet with the headers (code-like columns
    formatted as text so Excel keeps leading zeros and 18-digit numbers, option columns with
    drop-down lists) and a 说明 sheet with the rules and an example row."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    students = kind == RosterImport.Kind.STUDENTS
    headers = importer.STUDENT_TEMPLATE_HEADERS if students else importer.STAFF_TEMPLATE_HEADERS
    wb = Workbook()
    ws = wb.active
    ws.title = "学生名册" if students else "教职工"
    ws.append(headers)
    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="1F5FBF")
    rows = 2000
    for i, h in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font, cell.fill, cell.alignment = bold, fill, Alignment(horizontal="center")
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(10, len(h) * 2 + 4)
        if h in _TEXT_COLUMNS:
            for r in range(2, rows + 2):
                ws.cell(row=r, column=i).number_format = "@"
        options = _LISTS.get(h)
        if options is None and (h.startswith("是否") or h.endswith("是否监护人") or h.endswith("是否同住")):
            options = "是,否"
        if h == "岗位":
            options = ",".join(str(Role(r).label) for r in importer.STAFF_ROLES)
        if options:
            dv = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
            dv.add(f"{letter}2:{letter}{rows + 1}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("说明")
    notes.append(["列名", "是否必填", "填写说明"])
    for line in STUDENT_NOTES if students else STAFF_NOTES:
        notes.append(list(line))
    notes.append([])
    if students:
        notes.append(["示例（请勿复制到名册表中）"])
        notes.append(headers)
        example = notes.max_row + 1
        notes.append(STUDENT_EXAMPLE)
        for i in range(1, len(headers) + 1):
            notes.cell(row=example, column=i).number_format = "@"
    notes.column_dimensions["A"].width = 28
    notes.column_dimensions["B"].width = 20
    notes.column_dimensions["C"].width = 90
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
