"""Values a county may set (LAW.md marks them *in italics*; SPEC R-Q-7).

Read them through :func:`get`. The legal ones (:mod:`.parameters`) come from the county's
:class:`~anxin.cases.models.LegalParameterVersion`: for a case, the version in force when it
was opened (kept on the case); otherwise the county's version in force on the day. Without a
county version, and for the other values, the deployment's Django setting
(``settings.ANXIN_CASES = {"BUREAU_REPORT_HOURS": 1}``) or the LAW.md default applies."""

from __future__ import annotations

from typing import Any

from django.conf import settings as dj_settings

DEFAULTS: dict[str, Any] = {
    # LAW 6 (P2017): investigation due N days after it starts; "calendar" or "working" days
    "INVESTIGATION_DAYS": 10,
    "INVESTIGATION_DAY_KIND": "calendar",
    # LAW 7 (seed 二(四) 立即报告): bureau report due N hours from discovery, then 迟报
    "BUREAU_REPORT_HOURS": 2,
    # LAW 7: the determinations that must be reported at once (舆情 cases always are)
    "REPORT_RESULTS": ("severe", "criminal"),
    # LAW 3 (seed 二(三)): the same students again within N days → the committee decides
    "JOKE_REPEAT_DAYS": 90,
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
    # LAW 22, 24: retention per record class (anxin.core.retention); the audit default is the
    # deployment's ANXIN_AUDIT_RETENTION_DAYS (≥ 183 days, 网络安全法 21)
    "RETENTION_CASE_YEARS": 5,
    "RETENTION_REPORT_YEARS": 3,
    "RETENTION_SURVEY_YEARS": 1,
    "RETENTION_CARE_YEARS": 5,
    "RETENTION_AUDIT_DAYS": 1095,
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


def deployment(name: str) -> Any:
    """The deployment's value of ``name`` (``settings.ANXIN_CASES[name]``) or the LAW.md default."""
    overrides = getattr(dj_settings, "ANXIN_CASES", None) or {}
    if name in overrides:
        return overrides[name]
    if name == "RETENTION_AUDIT_DAYS":
        # the deployment's own setting (environment), checked ≥ 183 days in config.settings
        return getattr(dj_settings, "ANXIN_AUDIT_RETENTION_DAYS", DEFAULTS[name])
    return DEFAULTS[name]


def get(name: str, case=None, county_id: int | None = None, on=None) -> Any:
    """The value of ``name`` for ``case`` (the county's version kept on the case when it was
    opened) or for ``county_id`` on day ``on`` (today by default); else :func:`deployment`."""
    from anxin.cases.law.parameters import BY_KEY

    if name in BY_KEY:
        version = None
        if case is not None:
            version = case.legal_params if getattr(case, "legal_params_id", None) else None
        elif county_id is not None:
            from anxin.cases.models import LegalParameterVersion

            version = LegalParameterVersion.in_force(county_id, on)
        if version is not None and name in (version.values or {}):
            value = version.values[name]
            return tuple(value) if isinstance(value, list) else value
    return deployment(name)
