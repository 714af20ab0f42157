"""De-identification of an incident for 案例警示 (R-EDU-3): what a draft may not keep.

The case knows who was in it: its parties (students and people from outside), their guardians,
their classes, the school and the staff who handled it. Those words are replaced first; then
patterns catch what the case does not list: resident ID numbers, phone numbers, long numbers
(student numbers), class names of any form, and dates, which are coarsened to the part of the
month (2026年3月15日 → 2026年3月中旬) with clock times removed.

The author edits the preview; on publishing, ``leftovers`` refuses a text that still carries
one of the case's names or an ID-like number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

STUDENT_CODES = "甲乙丙丁戊己庚辛壬癸"

ID_RE = re.compile(
    r"(?<![0-9])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01])\d{3}[\dXx](?![0-9])"
)
PHONE_RE = re.compile(r"(?<![0-9])1[3-9]\d{9}(?![0-9])")
LONG_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z])[A-Za-z]{0,2}\d{6,}(?![0-9])")
CN_NUM = "一二三四五六七八九十"
CLASS_RE = re.compile(
    rf"(?:[{CN_NUM}初高]{{1,2}}(?:年级|年)?\s*)?[（(]?\s*(?:\d{{1,2}}|[{CN_NUM}]{{1,3}})\s*[)）]?\s*班(?![主级会长])"
)
FULL_DATE_RE = re.compile(r"(\d{4})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})\s*日?")
MONTH_DAY_RE = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
TIME_RE = re.compile(r"\s*(?<![0-9])(?:[01]?\d|2[0-3])[:：][0-5]\d(?![0-9])")


def _part_of_month(day: int) -> str:
    return "上旬" if day <= 10 else ("中旬" if day <= 20 else "下旬")


def coarsen_dates(text: str) -> str:
    text = FULL_DATE_RE.sub(lambda m: f"{m[1]}年{int(m[2])}月{_part_of_month(int(m[3]))}", text)
    text = MONTH_DAY_RE.sub(lambda m: f"{int(m[1])}月{_part_of_month(int(m[2]))}", text)
    return TIME_RE.sub("", text)


@dataclass
class Terms:
    """What to remove: each word and what replaces it (longest words first)."""

    words: dict[str, str] = field(default_factory=dict)

    def add(self, word: str | None, replacement: str) -> None:
        word = (word or "").strip()
        if len(word) >= 2 and word not in self.words:
            self.words[word] = replacement

    def add_person(self, name: str | None, replacement: str) -> None:
        """A Chinese name, and its given name alone (小明 for 张小明) when that is two characters."""
        name = (name or "").strip()
        self.add(name, replacement)
        if 3 <= len(name) <= 4 and all("\u4e00" <= c <= "\u9fff" for c in name):
            self.add(name[1:] if len(name) == 3 else name[2:], replacement)

    def apply(self, text: str) -> str:
        for word in sorted(self.words, key=len, reverse=True):
            text = text.replace(word, self.words[word])
        return text


def deidentify(text: str, terms: Terms | None = None) -> str:
    """The text with the known words replaced, then ID numbers, phones, long numbers, class
    names and dates caught by pattern."""
    text = (terms or Terms()).apply(text or "")
    text = ID_RE.sub("[证件号已删除]", text)
    text = PHONE_RE.sub("[电话已删除]", text)
    text = coarsen_dates(text)
    text = LONG_NUMBER_RE.sub("[编号已删除]", text)
    text = CLASS_RE.sub("某班", text)
    return text


def leftovers(text: str, terms: Terms) -> list[str]:
    """Known names and ID-like numbers still in ``text`` (a draft the author edited)."""
    found = [w for w in terms.words if w in (text or "")]
    if ID_RE.search(text or "") or PHONE_RE.search(text or ""):
        found.append("证件号或电话")
    return found


def _class_names(klass) -> Iterable[str]:
    grade = getattr(klass.grade, "name", "") if klass is not None else ""
    if klass is None:
        return []
    return [f"{grade}{klass.name}", f"{grade}（{klass.name}）", f"{grade}({klass.name})"]


def case_terms(case) -> Terms:
    """The words one case's own records say must go (a handful of queries)."""
    from anxin.roster.models import Guardian

    t = Terms()
    parties = list(case.parties.select_related("student__klass__grade").order_by("pk"))
    students = [p.student for p in parties if p.student_id]
    for i, p in enumerate(parties):
        code = f"学生{STUDENT_CODES[i % len(STUDENT_CODES)]}"
        if p.student_id:
            t.add_person(p.student.name, code)
            for klass_name in _class_names(p.student.klass):
                t.add(klass_name, "某班")
        if p.outsider_name:
            t.add_person(p.outsider_name, "校外人员")
    for g in Guardian.objects.filter(student__in=students):
        t.add_person(g.name, "家长")
    for user in (case.owner, case.opened_by, case.first_responder):
        if user is not None:
            t.add_person(user.real_name, "某老师")
    t.add(case.school.name, "某校")
    t.add(case.number, "[编号已删除]")
    return t


def draft_from_case(case) -> tuple[str, Terms]:
    """The preview of a case's summary, de-identified, for the author to edit."""
    parts = [
        ("起因", case.cause),
        ("经过", case.process or case.summary),
        ("伤情", case.injuries),
    ]
    lines = [f"{case.summary}".strip()] if case.process else []
    lines += [f"{label}：{text.strip()}" for label, text in parts if (text or "").strip()]
    if case.behaviour_labels:
        lines.append("行为类型：" + "、".join(str(x) for x in case.behaviour_labels))
    terms = case_terms(case)
    return deidentify("\n".join(lines), terms), terms
