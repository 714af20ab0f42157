"""Option columns (labels or codes in, codes out; FORMATS.md), the roster's columns and their
headers, and the headers of our own templates.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from anxin.roster.models import (
    Attendance,
    IdType,
    LeftBehind,
    Sex,
)

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
