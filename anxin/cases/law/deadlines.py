"""Deadlines and windows (LAW rules 6, 7, 14; R-CASE-9). Each row names the setting that holds
its length (see :mod:`.settings`) and the article it comes from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Deadline:
    code: str
    label: str
    setting: str
    unit: str  # hours | days | working_days | weeks
    starts: str
    on_miss: str
    source: str


DEADLINES: tuple[Deadline, ...] = (
    Deadline(
        "bureau_report",
        "向县教体局首报",
        "BUREAU_REPORT_HOURS",
        "hours",
        "发现时间",
        "标记为迟报；提醒分管安全副校长并上报教体局",
        "SEED 二(四); UPL Art 39; PSAL Art 60",
    ),
    Deadline(
        "investigation",
        "调查完成",
        "INVESTIGATION_DAYS",
        "days",
        "调查开始",
        "提醒分管安全副校长和教体局",
        "P2017",
    ),
    Deadline(
        "appeal",
        "学生或家长提出申诉",
        "APPEAL_WORKING_DAYS",
        "working_days",
        "处理决定告知之日",
        "逾期不再受理申诉",
        "DR Art 17",
    ),
    Deadline(
        "county_review_request",
        "向县防治学生欺凌工作部门申请复查",
        "APPEAL_WORKING_DAYS",
        "working_days",
        "认定结果告知之日",
        "逾期不再受理复查申请",
        "P2017",
    ),
    Deadline(
        "county_review", "县级复查完成", "COUNTY_REVIEW_DAYS", "days", "复查申请受理", "提醒教体局", "P2017"
    ),
    Deadline(
        "city_review",
        "市级复核完成（默认不启用）",
        "CITY_REVIEW_DAYS",
        "days",
        "复核申请受理",
        "提醒教体局",
        "P2017; DR Art 18",
    ),
    Deadline(
        "follow_up",
        "回访",
        "FOLLOW_UP_WEEKS",
        "weeks",
        "处置完成",
        "提醒承办人，再提醒分管安全副校长",
        "SPEC R-CASE-9",
    ),
)
