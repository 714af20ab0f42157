"""Values a county may set (LAW.md marks them *in italics*): Django settings with the
defaults of LAW.md. Read them through :func:`get` so tests and counties can override them
(``settings.ANXIN_CASES = {"BUREAU_REPORT_HOURS": 1}``) without a code change."""

from __future__ import annotations

from typing import Any

from django.conf import settings as dj_settings

DEFAULTS: dict[str, Any] = {
    # LAW 6 (P2017): investigation due N days after it starts; "calendar" or "working" days
    "INVESTIGATION_DAYS": 10,
    "INVESTIGATION_DAY_KIND": "calendar",
    # LAW 7 (seed 二(四) 立即报告): bureau report due N hours from discovery, then 迟报
    "BUREAU_REPORT_HOURS": 2,
    # LAW 12 (DR Art 10): Art 10 measures from this grade (小学高年级)
    "SEVERE_MIN_GRADE": 4,
    # LAW 4: a student representative is required where the school has 高中 grades
    "COMMITTEE_STUDENT_REP_WITH_SENIOR": True,
    # LAW 14 (DR Art 17): appeal window in working days after the decision is notified
    "APPEAL_WORKING_DAYS": 15,
    # LAW 14 (P2017): county 复查 finishes within N days; the city 复核 stage is off by default
    "COUNTY_REVIEW_DAYS": 15,
    "CITY_REVIEW_ENABLED": False,
    "CITY_REVIEW_DAYS": 30,
    # R-CASE-9: 回访 after N weeks
    "FOLLOW_UP_WEEKS": (1, 4, 12),
    # LAW 14: public holidays (ISO dates) and 调休 working weekend days, besides the Holiday table
    "HOLIDAYS": (),
    "EXTRA_WORKDAYS": (),
    # reminders: "due soon" window and when an overdue duty goes up to the bureau
    "DUE_SOON_HOURS": 24,
    "ESCALATE_TO_BUREAU_AFTER_DAYS": 2,
    # evidence uploads (R-Q-4): size limit and the types accepted, checked by content
    "EVIDENCE_MAX_BYTES": 20 * 1024 * 1024,
    "EVIDENCE_TYPES": (
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "image/heic",
        "application/pdf",
        "audio/mpeg",
        "audio/mp4",
        "audio/x-m4a",
        "audio/amr",
        "audio/x-wav",
        "video/mp4",
        "video/quicktime",
    ),
}


def get(name: str) -> Any:
    """The county's value of ``name`` (``settings.ANXIN_CASES[name]``) or the LAW.md default."""
    overrides = getattr(dj_settings, "ANXIN_CASES", None) or {}
    if name in overrides:
        return overrides[name]
    return DEFAULTS[name]
