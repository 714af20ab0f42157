"""The graded response (seed 二(三); P2017; SPEC R-CASE-5): what each determination requires.

- ``required``  measure codes every alleged bully must receive (any one of each tuple)
- ``allowed``   levels of the catalogue that may be chosen
- ``report``    the case must be reported to the police and the bureau at once (LAW rule 7)
- ``support``   the support obligations of any bullying (UPL Art 39; LAW rule 9)
- ``only``      when set, the only measure codes that may be chosen (玩笑打闹/一般纠纷:
                批评教育 directly — no 教育惩戒 measure, not even DR Art 8; LAW graded response)
"""

from __future__ import annotations

from dataclasses import dataclass

from anxin.cases.law.catalogue import Level as L


@dataclass(frozen=True)
class Response:
    result: str
    summary: str
    required: tuple[tuple[str, ...], ...]
    allowed: frozenset[str]
    report: bool
    support: bool
    source: str
    only: tuple[str, ...] = ()


GRADED_RESPONSE: tuple[Response, ...] = (
    Response(
        "joke",
        "直接予以批评教育",
        (("criticism",),),
        frozenset({L.EDUCATION}),
        False,
        False,
        "SEED 二(三)",
        only=("criticism",),
    ),
    Response(
        "dispute",
        "直接予以批评教育",
        (("criticism",),),
        frozenset({L.EDUCATION}),
        False,
        False,
        "SEED 二(三)",
        only=("criticism",),
    ),
    Response(
        "minor",
        "学校和家长进行严肃的批评教育和警示谈话；责令赔礼道歉",
        (("criticism",), ("warning_talk",), ("apology",)),
        frozenset({L.EDUCATION, L.GENERAL, L.HEAVIER}),
        False,
        True,
        "SEED 二(三)",
    ),
    Response(
        "serious",
        "可给予纪律处分；邀请公安机关、法治副校长参与警示教育或予以训诫",
        (("criticism",), ("legal_reprimand", "police_warning")),
        frozenset({L.EDUCATION, L.GENERAL, L.HEAVIER, L.SERIOUS, L.SANCTION, L.OUTSIDE}),
        False,
        True,
        "SEED 二(三)",
    ),
    Response(
        "severe",
        "立即向公安局、教体局报告，联合实施惩戒",
        (
            ("criticism",),
            (
                "moral_talk",
                "school_service",
                "rules_education",
                "suspend_outings",
                "suspension",
                "legal_reprimand",
                "psych_intervention",
                "warning",
                "serious_warning",
                "demerit",
                "probation",
                "expulsion",
                "police_warning",
            ),
        ),
        frozenset({L.EDUCATION, L.GENERAL, L.HEAVIER, L.SERIOUS, L.SANCTION, L.OUTSIDE, L.REFERRAL}),
        True,
        True,
        "SEED 二(三); SEED 二(四); P2017",
    ),
    Response(
        "criminal",
        "移送公安机关、人民检察院、人民法院依法处置",
        (("judicial_referral",),),
        frozenset({L.EDUCATION, L.GENERAL, L.HEAVIER, L.SERIOUS, L.SANCTION, L.OUTSIDE, L.REFERRAL}),
        True,
        True,
        "SEED 二(三); PSAL Art 60",
    ),
)

# Any bullying (UPL Art 39; seed 二(三)): what must be done for each party before closing.
ANY_BULLYING: tuple[tuple[str, str, str, str], ...] = (
    # support kind, for which role, what, source
    ("victim_counselling", "victim", "对被欺凌学生进行心理辅导", "UPL Art 39; SEED 二(三)"),
    ("bully_counselling", "alleged_bully", "对实施欺凌的学生进行心理辅导和教育", "UPL Art 39"),
    ("supervision_plan", "alleged_bully", "对实施欺凌的学生加强管教（监督计划）", "UPL Art 39"),
    ("family_guidance", "victim", "对被欺凌学生家庭进行家庭教育指导", "UPL Art 39"),
    ("family_guidance", "alleged_bully", "对实施欺凌学生家庭进行家庭教育指导", "UPL Art 39"),
)

_BY_RESULT = {r.result: r for r in GRADED_RESPONSE}


def response_for(result: str) -> Response:
    return _BY_RESULT[result]
