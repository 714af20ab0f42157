"""The discipline catalogue of 《中小学教育惩戒规则（试行）》 (DR) and the other responses the
graded response names (seed 二(三)), one row per measure (LAW "Discipline catalogue"; rules
11–13, 16).

Columns of a row (:class:`MeasureItem`):

- ``level``      一般 (DR Art 8) / 较重 (Art 9) / 严重 (Art 10) / 纪律处分 (Art 10 ¶2) /
                 教育 (批评教育, 警示谈话: seed 二(三)) / 外部 (公安、司法) / 转介 (专门学校)
- ``decider``    who decides: ``teacher`` (on the spot), ``school`` (a school decision),
                 ``outside`` (police or judicial organs; the school records it)
- ``parents``    how guardians are told: ``may_tell`` / ``told_promptly`` / ``told_in_advance`` / ``told``
- ``min_grade``  the lowest grade (1–12) it may be used in; ``None`` for all grades.
                 ``"SEVERE_MIN_GRADE"`` means the county setting (default 4, DR Art 10)
- ``senior_only`` only for 高中/中职 students, never in compulsory education (CEL Art 27)
- ``defence``    takes effect only after the student's 陈述申辩 (and a 听证 if requested) (DR Art 16–17)
- ``max_days``   an upper limit of days (停课停学 ≤ 1 week: DR Art 10)
- ``application_only`` the school can only apply; another body decides (PJDL Arts 43–47)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    EDUCATION = "education"
    GENERAL = "general"
    HEAVIER = "heavier"
    SERIOUS = "serious"
    SANCTION = "sanction"
    OUTSIDE = "outside"
    REFERRAL = "referral"


LEVEL_LABELS: dict[str, str] = {
    Level.EDUCATION: "批评教育",
    Level.GENERAL: "一般教育惩戒",
    Level.HEAVIER: "较重教育惩戒",
    Level.SERIOUS: "严重教育惩戒",
    Level.SANCTION: "纪律处分",
    Level.OUTSIDE: "公安、司法机关处置",
    Level.REFERRAL: "转入专门学校",
}


@dataclass(frozen=True)
class MeasureItem:
    """One measure of the catalogue, with the article it comes from."""

    code: str
    label: str
    level: Level
    article: str
    decider: str  # teacher | school | outside
    parents: str  # may_tell | told_promptly | told_in_advance | told
    min_grade: int | str | None = None
    senior_only: bool = False
    defence: bool = False
    max_days: int | None = None
    application_only: bool = False
    note: str = ""

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def needs_prior_notice(self) -> bool:
        """LAW rule 11: Art 10 measures and sanctions need guardians told in advance."""
        return self.parents == "told_in_advance"


L = Level
CATALOGUE: tuple[MeasureItem, ...] = (
    # 教育 — seed 二(三): 玩笑打闹/一般纠纷 直接批评教育; 情节轻微 学校和家长批评教育和警示谈话
    MeasureItem("criticism", "批评教育", L.EDUCATION, "SEED 二(三)", "teacher", "may_tell"),
    MeasureItem(
        "warning_talk",
        "警示谈话（学校和家长共同进行）",
        L.EDUCATION,
        "SEED 二(三)",
        "school",
        "told_promptly",
    ),
    # 一般教育惩戒 — DR Art 8: a teacher may use them on the spot
    MeasureItem("roll_call", "点名批评", L.GENERAL, "DR Art 8(1)", "teacher", "may_tell"),
    MeasureItem(
        "apology", "责令赔礼道歉、做口头或者书面检讨", L.GENERAL, "DR Art 8(2)", "teacher", "may_tell"
    ),
    MeasureItem(
        "extra_task",
        "适当增加额外的教学或者班级公益服务任务",
        L.GENERAL,
        "DR Art 8(3)",
        "teacher",
        "may_tell",
    ),
    MeasureItem("stand", "一节课堂教学时间内的教室内站立", L.GENERAL, "DR Art 8(4)", "teacher", "may_tell"),
    MeasureItem("after_class", "课后教导", L.GENERAL, "DR Art 8(5)", "teacher", "may_tell"),
    # 较重教育惩戒 — DR Art 9: a school decision, guardians told promptly
    MeasureItem(
        "moral_talk", "由学校德育工作负责人予以训导", L.HEAVIER, "DR Art 9(1)", "school", "told_promptly"
    ),
    MeasureItem(
        "school_service", "承担校内公益服务任务", L.HEAVIER, "DR Art 9(2)", "school", "told_promptly"
    ),
    MeasureItem(
        "rules_education",
        "安排接受专门的校规校纪、行为规则教育",
        L.HEAVIER,
        "DR Art 9(3)",
        "school",
        "told_promptly",
    ),
    MeasureItem(
        "suspend_outings",
        "暂停或者限制学生参加游览、校外集体活动以及其他外出集体活动",
        L.HEAVIER,
        "DR Art 9(4)",
        "school",
        "told_promptly",
    ),
    # 严重教育惩戒 — DR Art 10: 小学高年级 and above; guardians told in advance; 陈述申辩 first
    MeasureItem(
        "suspension",
        "给予不超过一周的停课或者停学，要求家长在家进行教育、管教",
        L.SERIOUS,
        "DR Art 10(1)",
        "school",
        "told_in_advance",
        min_grade="SEVERE_MIN_GRADE",
        defence=True,
        max_days=7,
    ),
    MeasureItem(
        "legal_reprimand",
        "由法治副校长或者法治辅导员予以训诫",
        L.SERIOUS,
        "DR Art 10(2)",
        "school",
        "told_in_advance",
        min_grade="SEVERE_MIN_GRADE",
        defence=True,
        note="由法治副校长执行并记录",
    ),
    MeasureItem(
        "psych_intervention",
        "安排专门的心理辅导或者行为干预",
        L.SERIOUS,
        "DR Art 10(3)",
        "school",
        "told_in_advance",
        min_grade="SEVERE_MIN_GRADE",
        defence=True,
    ),
    # 纪律处分 — DR Art 10 ¶2: same procedure; 开除学籍 only in 高中 (CEL Art 27)
    MeasureItem("warning", "警告", L.SANCTION, "DR Art 10 ¶2", "school", "told_in_advance", defence=True),
    MeasureItem(
        "serious_warning", "严重警告", L.SANCTION, "DR Art 10 ¶2", "school", "told_in_advance", defence=True
    ),
    MeasureItem("demerit", "记过", L.SANCTION, "DR Art 10 ¶2", "school", "told_in_advance", defence=True),
    MeasureItem(
        "probation", "留校察看", L.SANCTION, "DR Art 10 ¶2", "school", "told_in_advance", defence=True
    ),
    MeasureItem(
        "expulsion",
        "开除学籍",
        L.SANCTION,
        "DR Art 10 ¶2; CEL Art 27",
        "school",
        "told_in_advance",
        senior_only=True,
        defence=True,
        note="义务教育阶段不得开除学籍",
    ),
    # 公安、司法 — seed 二(三): 较重 邀请公安机关参与警示教育或训诫; 涉嫌违法犯罪 由公安、检察、法院依法处置
    MeasureItem(
        "police_warning",
        "公安机关参与警示教育或者予以训诫",
        L.OUTSIDE,
        "SEED 二(三); PJDL Art 41",
        "outside",
        "told_promptly",
    ),
    MeasureItem(
        "judicial_referral",
        "移送公安机关、人民检察院、人民法院依法处置",
        L.OUTSIDE,
        "SEED 二(三); PSAL Art 60",
        "outside",
        "told_promptly",
    ),
    # 转介 — PJDL Arts 43–47: the school applies; the bureau decides after the assessment
    MeasureItem(
        "special_school",
        "申请转入专门学校接受专门教育",
        L.REFERRAL,
        "PJDL Art 43–47",
        "outside",
        "told",
        application_only=True,
        note="学校只能申请；由教育行政部门会同公安机关、经专门教育指导委员会评估同意后决定；学籍保留在原学校",
    ),
)

_BY_CODE = {m.code: m for m in CATALOGUE}


def item(code: str) -> MeasureItem | None:
    return _BY_CODE.get(code)


def items_for(levels) -> list[MeasureItem]:
    levels = set(levels)
    return [m for m in CATALOGUE if m.level in levels]
