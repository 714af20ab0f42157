"""Grades and classes: grade years and 学籍系统 grade codes, class numbers, and ``ClassIndex``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .columns import normalize_header

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
