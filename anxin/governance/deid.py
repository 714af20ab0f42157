"""De-identification of an incident for 案例警示 (R-EDU-3): what a draft may not keep.

The case knows who was in it: its parties (students and people from outside), their guardians,
their classes, the school and the staff who handled it. Those words are replaced first; then
patterns catch what the case does not list: names that read as names (a common surname and one
or two characters next to a word such as 同学/老师/家长, or in a list with such a name),
resident ID numbers, phone numbers, long numbers
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


# The commonest Chinese surnames (well over 80 % of people) and the compound ones; a name the case
# does not list is caught only next to a word that says it is a person, so 高年级 or 周一 stay.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
    "戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮"
    "柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古"
    "吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫"
    "寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝马"
)
COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "令狐",
    "夏侯",
    "司徒",
)
_HAN = "\u4e00-\u9fff"
_NAME = rf"(?:{'|'.join(COMPOUND_SURNAMES)}|[{SURNAMES}])[{_HAN}]{{1,2}}"
PERSON_BEFORE = "学生|同学|老师|教师|家长|班主任|校长|男生|女生|当事人|受害人|施暴者"
PERSON_AFTER = "同学|老师|家长|妈妈|爸爸|母亲|父亲|奶奶|爷爷|等人|等同学|的家长|的母亲|的父亲"
# what may follow a name: punctuation, a space, the end, or a particle that starts the next phrase
NAME_FOLLOW = r"(?=[，。、；：！？,.;:!?\s（）()“”\"和与及被把将对在向跟同等的是也又因便就遭]|$)"
_AFTER_RE = re.compile(rf"({_NAME}?)(?:{PERSON_AFTER})")
_BEFORE_RE = re.compile(rf"(?:{PERSON_BEFORE})({_NAME}){NAME_FOLLOW}")
_LIST_RE = re.compile(rf"(?:^|[、和与及])({_NAME}){NAME_FOLLOW}")
# words of the right shape that are not names
NOT_NAMES = {
    "同学", "老师", "家长", "高年级", "高中", "初中", "全体", "全校", "任课", "安全", "文明", "时代", "时期",
    "关系", "关心", "关注", "安排", "单独", "方面", "方式", "明显", "常常", "常规", "和睦", "成绩", "管理",
    *(f"周{d}" for d in "一二三四五六日天末"),
}  # fmt: skip
_ROLE_ENDS = tuple(PERSON_BEFORE.split("|"))


def names_in(text: str) -> set[str]:
    """Words of ``text`` that read as people's names: a surname and one or two characters right
    before 同学/老师/家长… or right after 学生/老师/班主任…, and names listed with them (、和与及)."""
    text = text or ""
    found: set[str] = set()

    def keep(name: str) -> None:
        if name and "某" not in name and name[:2] not in NOT_NAMES and not name.endswith(("班", "年", "级")):
            found.add(name)

    for m in _AFTER_RE.finditer(text):
        name, start = m[1], m.start(1)
        # 班主任陈静老师: the match began inside 班主任 (任 is a surname too)
        if text[: start + 1].endswith(_ROLE_ENDS):
            name = name[1:]
            if len(name) < 2:
                continue
        keep(name)
    for m in _BEFORE_RE.finditer(text):
        keep(m[1])
    # names listed beside a found one: 王小红、李强和赵刚
    changed = True
    while changed and found:
        changed = False
        for m in _LIST_RE.finditer(text):
            start = m.start(1)
            before = text[max(0, start - 6) : start].rstrip("、和与及")
            if any(before.endswith(n) for n in found) and m[1] not in found and m[1] not in NOT_NAMES:
                found.add(m[1])
                changed = True
    return found


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
    """The text with the known words replaced, then names that read as names, ID numbers, phones, long numbers, class
    names and dates caught by pattern."""
    text = (terms or Terms()).apply(text or "")
    for name in sorted(names_in(text), key=len, reverse=True):
        text = text.replace(name, "某某")
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
