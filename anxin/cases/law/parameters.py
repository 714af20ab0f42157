"""The legal parameters a county sets for itself (SPEC R-Q-7; LAW.md: the values *in italics*).

One row per parameter: its key (the name of :mod:`.settings` it overrides), label, type, the
LAW.md default, the allowed range and the legal source shown beside it on the county's page.
A county's values are kept as :class:`anxin.cases.models.LegalParameterVersion` rows — a
new version with an effective date, never an edit — and a case keeps the version in force
when it was opened. Authentication values (lockout, idle timeout) are deployment settings,
not legal parameters, and are not listed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from anxin.cases.law.definitions import RESULTS


@dataclass(frozen=True)
class Parameter:
    key: str
    label: str
    kind: str  # int | bool | choice | results
    default: Any  # LAW.md's default
    rule: str  # the LAW.md rule it belongs to
    source: str  # the article it comes from (short names of .sources)
    unit: str = ""
    min: int | None = None
    max: int | None = None
    choices: tuple[tuple[str, str], ...] = ()
    # why ``min`` is a legal floor (shown in the refusal), e.g. 网络安全法 21 for the audit trail
    floor: str = ""


DAY_KINDS = (("calendar", "自然日"), ("working", "工作日（在校日）"))

PARAMETERS: tuple[Parameter, ...] = (
    Parameter(
        "INVESTIGATION_DAYS",
        "调查完成时限",
        "int",
        10,
        "LAW 6",
        "P2017",
        unit="日",
        min=1,
        max=30,
    ),
    Parameter(
        "INVESTIGATION_DAY_KIND",
        "调查时限计算方式",
        "choice",
        "calendar",
        "LAW 6",
        "P2017",
        choices=DAY_KINDS,
    ),
    Parameter(
        "BUREAU_REPORT_HOURS",
        "向县教体局首报时限（自发现起）",
        "int",
        2,
        "LAW 7",
        "SEED 二(四); UPL Art 39; PSAL Art 60",
        unit="小时",
        min=1,
        max=24,
    ),
    Parameter(
        "REPORT_RESULTS",
        "须立即向公安机关和教体局报告的认定结果（舆情事件始终须报告）",
        "results",
        ("severe", "criminal"),
        "LAW 7",
        "SEED 二(三); SEED 二(四); UPL Art 39",
    ),
    Parameter(
        "SEVERE_MIN_GRADE",
        "严重教育惩戒的最低适用年级",
        "int",
        4,
        "LAW 12",
        "DR Art 10",
        unit="年级",
        min=1,
        max=9,
    ),
    Parameter(
        "COMMITTEE_STUDENT_REP_WITH_SENIOR",
        "有高中年级的学校，学生欺凌治理委员会须有学生代表",
        "bool",
        True,
        "LAW 4",
        "P2017",
    ),
    Parameter(
        "APPEAL_WORKING_DAYS",
        "申诉、申请复查的期限（自告知之日起）",
        "int",
        15,
        "LAW 14",
        "DR Art 17; P2017",
        unit="个工作日",
        min=5,
        max=30,
    ),
    Parameter(
        "COUNTY_REVIEW_DAYS",
        "县级复查完成时限",
        "int",
        15,
        "LAW 14",
        "P2017",
        unit="日",
        min=1,
        max=30,
    ),
    Parameter(
        "CITY_REVIEW_ENABLED",
        "启用市级复核",
        "bool",
        False,
        "LAW 14",
        "P2017; DR Art 18",
    ),
    Parameter(
        "CITY_REVIEW_DAYS",
        "市级复核完成时限",
        "int",
        30,
        "LAW 14",
        "P2017; DR Art 18",
        unit="日",
        min=1,
        max=60,
    ),
    Parameter(
        "JOKE_REPEAT_DAYS",
        "玩笑打闹、一般纠纷直接处理后，同一学生再次发生须提请委员会认定的期间",
        "int",
        90,
        "LAW 3",
        "SEED 二(三)",
        unit="日",
        min=30,
        max=365,
    ),
)

# LAW 22, 24: how long each record class is kept before it is anonymised or purged
# (``anxin.core.retention``; the nightly task ``anxin.core.tasks.nightly_retention``)
RETENTION: tuple[Parameter, ...] = (
    Parameter(
        "RETENTION_CASE_YEARS",
        "已结案案件的保存期限（自结案起；期满后当事人和事件经过匿名化）",
        "int",
        5,
        "LAW 24",
        "PIPL Art 19; PJDL Art 59",
        unit="年",
        min=1,
        max=30,
    ),
    Parameter(
        "RETENTION_REPORT_YEARS",
        "举报、反映记录的保存期限（自办结起；期满后举报人联系方式和陈述匿名化）",
        "int",
        3,
        "LAW 24",
        "PIPL Art 19; PIPL Art 47",
        unit="年",
        min=1,
        max=30,
    ),
    Parameter(
        "RETENTION_SURVEY_YEARS",
        "同学关系问卷答卷的保存期限（自问卷截止起；期满后答卷删除）",
        "int",
        1,
        "LAW 24",
        "PIPL Art 19; PIPL Art 47",
        unit="年",
        min=1,
        max=10,
    ),
    Parameter(
        "RETENTION_CARE_YEARS",
        "关爱联系记录和心理辅导记录的保存期限（自记录之日起；期满后内容匿名化）",
        "int",
        5,
        "LAW 24",
        "PIPL Art 19; PIPL Art 28",
        unit="年",
        min=1,
        max=30,
    ),
    Parameter(
        "RETENTION_AUDIT_DAYS",
        "审计日志的保存期限（期满后内容经链式删减记录脱敏，链条保留，不删除）",
        "int",
        1095,
        "LAW 22",
        "CSL Art 21; MLPS",
        unit="日",
        min=183,
        max=3650,
        floor="网络安全法第二十一条：网络日志留存不少于六个月",
    ),
)
PARAMETERS = PARAMETERS + RETENTION

BY_KEY: dict[str, Parameter] = {p.key: p for p in PARAMETERS}
RESULT_CODES = tuple(code for code, *_ in RESULTS)


def display(p: Parameter, value: Any) -> str:
    """A value as the county's page shows it."""
    if p.kind == "bool":
        return "是" if value else "否"
    if p.kind == "choice":
        return dict(p.choices).get(value, str(value))
    if p.kind == "results":
        labels = {code: label for code, label, *_ in RESULTS}
        return "、".join(labels.get(v, v) for v in value) or "（无）"
    return f"{value}{p.unit}"


def clean(p: Parameter, raw: Any) -> tuple[Any, str]:
    """``(value, "")`` or ``(None, Chinese error)`` for one submitted value."""
    if p.kind == "int":
        try:
            value = int(str(raw).strip())
        except (TypeError, ValueError):
            return None, f"「{p.label}」须为整数"
        if p.floor and p.min is not None and value < p.min:
            return None, f"「{p.label}」不得少于{p.min}{p.unit}（{p.floor}）"
        if (p.min is not None and value < p.min) or (p.max is not None and value > p.max):
            return None, f"「{p.label}」须在{p.min}至{p.max}{p.unit}之间"
        return value, ""
    if p.kind == "bool":
        if isinstance(raw, bool):
            return raw, ""
        text = str(raw).strip().lower()
        if text in ("true", "1", "on", "yes", "是"):
            return True, ""
        if text in ("false", "0", "off", "no", "否", ""):
            return False, ""
        return None, f"「{p.label}」须为是或否"
    if p.kind == "choice":
        if raw not in dict(p.choices):
            return None, f"「{p.label}」只能选择：{'、'.join(lbl for _c, lbl in p.choices)}"
        return raw, ""
    if p.kind == "results":
        values = [raw] if isinstance(raw, str) else list(raw or [])
        unknown = [v for v in values if v not in RESULT_CODES]
        if unknown:
            return None, f"「{p.label}」含有未知的认定结果：{'、'.join(map(str, unknown))}"
        if not {"severe", "criminal"} <= set(values):
            # LAW 7 floor: 情节恶劣 and 涉嫌违法犯罪 must always be reported (UPL 39; PSAL 60)
            return None, f"「{p.label}」须包括情节恶劣、造成明显伤害和涉嫌违法犯罪"
        return tuple(c for c in RESULT_CODES if c in values), ""
    raise ValueError(p.kind)


def validate(values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Check a full set of values against the table: unknown keys and out-of-range values are
    refused with Chinese messages."""
    errors = [f"不能设置：{k}" for k in values if k not in BY_KEY]
    cleaned: dict[str, Any] = {}
    for p in PARAMETERS:
        if p.key not in values:
            continue
        value, error = clean(p, values[p.key])
        if error:
            errors.append(error)
        else:
            cleaned[p.key] = value
    return cleaned, errors
