"""Domain operations of screening and early warning: the only place that changes this app's
state (GUIDE: views and the API call these functions).

Each function that a person triggers receives the acting user (``by``), checks the policy
itself (pages and API check first; this is the second line) and runs in one transaction.
Rule violations raise ``ValidationError`` with a Chinese message; missing rights raise
``PermissionDenied``. Writes are recorded by the models' ``@audited`` signals.

Other apps read from here:
- ``risk_level(student)`` / ``risk_levels(queryset_or_ids)`` — 红/橙/黄/绿 (care's cadences);
- ``watched_students(school)`` — ids on the bullying-tendency register (重点盯防);
- ``note_care_anomaly(student, source_obj)`` — care tells the engine an anomaly was found.

The operations by area (every name is re-exported here: ``services.open_round(...)``):

- ``rounds``        — open a school or county round, save a record, coverage, complete (R-SCR-1)
- ``survey``        — the peer-relationship survey: codes, answers, analysis
- ``registers``     — vulnerability categories and entries, roster flags, tendency register and
                      reviews (R-SCR-2, R-SCR-3)
- ``risk_signals``  — what other apps read (levels, watched students) and the signals they send
                      (cases, intake, care) → risk signals and 重点盯防 alerts (R-SCR-4); the
                      rules table is ``anxin.screening.risk_rules``, the engine ``anxin.screening.risk``
- ``hazards``       — hazard points and measures (R-SCR-5), monitoring zones and cameras
- ``monitoring``    — duty roster and duty logs; a 苗头 becomes a concern (R-SCR-6)
- ``rectification`` — problems and rectification (R-SCR-7)
- ``counts``        — de-identified figures for the bureau (LAW 19)
- ``_common``       — the policy's second line, enrolled students, the school's staff
"""

from anxin.screening.services._common import _enrolled, staff_of
from anxin.screening.services.counts import counts_by_class, counts_by_school
from anxin.screening.services.hazards import (
    HAZARD_FIELDS,
    add_measure,
    add_zone,
    complete_measure,
    save_camera,
    save_hazard,
)
from anxin.screening.services.monitoring import log_duty, save_shift
from anxin.screening.services.rectification import RECTIFICATION_FIELDS, save_rectification
from anxin.screening.services.registers import (
    DEFAULT_CATEGORIES,
    TENDENCY_REVIEW_DAYS,
    add_tendency,
    add_vulnerability,
    end_vulnerability,
    ensure_categories,
    review_tendency,
    save_category,
    sync_roster_flags,
)
from anxin.screening.services.risk_signals import (
    CASE_ROLE_KIND,
    level_label,
    note_care_anomaly,
    on_bullying_confirmed,
    on_case_party_added,
    on_students_named,
    record_signal,
    risk_level,
    risk_levels,
    safety_leaders,
    watch_alert,
    watched_students,
)
from anxin.screening.services.rounds import (
    class_students,
    complete_round,
    county_coverage,
    coverage,
    open_county_round,
    open_round,
    save_record,
)
from anxin.screening.services.survey import (
    ALREADY_ANSWERED,
    classmates,
    close_survey,
    create_survey,
    find_open_survey,
    redeem_code,
    submit_response,
    survey_analysis,
    survey_is_open,
)

__all__ = [
    "ALREADY_ANSWERED",
    "CASE_ROLE_KIND",
    "DEFAULT_CATEGORIES",
    "HAZARD_FIELDS",
    "RECTIFICATION_FIELDS",
    "TENDENCY_REVIEW_DAYS",
    "_enrolled",
    "add_measure",
    "add_tendency",
    "add_vulnerability",
    "add_zone",
    "class_students",
    "classmates",
    "close_survey",
    "complete_measure",
    "complete_round",
    "counts_by_class",
    "counts_by_school",
    "county_coverage",
    "coverage",
    "create_survey",
    "end_vulnerability",
    "ensure_categories",
    "find_open_survey",
    "level_label",
    "log_duty",
    "note_care_anomaly",
    "on_bullying_confirmed",
    "on_case_party_added",
    "on_students_named",
    "open_county_round",
    "open_round",
    "record_signal",
    "redeem_code",
    "review_tendency",
    "risk_level",
    "risk_levels",
    "safety_leaders",
    "save_camera",
    "save_category",
    "save_hazard",
    "save_record",
    "save_rectification",
    "save_shift",
    "staff_of",
    "submit_response",
    "survey_analysis",
    "survey_is_open",
    "sync_roster_flags",
    "watch_alert",
    "watched_students",
]
