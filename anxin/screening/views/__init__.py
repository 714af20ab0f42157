"""Pages of screening and early warning. Views are thin: scope through core.access, rules in
services. Student-level pages are for school roles (class teachers: own class); the bureau
and supervisors see counts by school and class, never names (LAW 19).

The pages by area (``urls.py`` reaches them through the names re-exported here):

- ``overview``      — 排查与风险 home; de-identified counts by school and class (LAW 19)
- ``rounds``        — screening rounds, county rounds, coverage, the class screening page (R-SCR-1)
- ``survey``        — peer-relationship survey: staff pages and the public answer pages
- ``registers``     — vulnerable students, categories, bullying-tendency register (R-SCR-2, R-SCR-3)
- ``risk``          — risk levels, this week's changes, a student's reasons, the rules page (R-SCR-4);
                      the rules table itself is ``anxin.screening.risk_rules``
- ``hazards``       — hazard points and measures, 人防/物防/技防 overview, coverage, zones and cameras
                      (R-SCR-5)
- ``monitoring``    — key-period duty roster and duty logs (R-SCR-6)
- ``rectification`` — problems and rectification (R-SCR-7)
- ``_common``       — the school a page acts on, the school picker, export names
"""

from anxin.screening.views.hazards import (
    HazardListView,
    camera_edit,
    camera_list,
    hazard_coverage,
    hazard_detail,
    hazard_edit,
    hazard_overview,
    measure_done,
    zone_create,
)
from anxin.screening.views.monitoring import DutyLogListView, ShiftListView, dutylog_create, shift_edit
from anxin.screening.views.overview import counts, counts_school, home
from anxin.screening.views.rectification import RectificationListView, rectification_edit
from anxin.screening.views.registers import (
    TendencyListView,
    VulnerabilityListView,
    category_edit,
    category_list,
    tendency_create,
    tendency_detail,
    vulnerable_create,
    vulnerable_end,
)
from anxin.screening.views.risk import RiskChangesView, RiskListView, risk_rules_page, student_risk
from anxin.screening.views.rounds import (
    CHOICES,
    DEFAULTS,
    RoundListView,
    county_round_create,
    county_round_detail,
    round_class,
    round_complete,
    round_create,
    round_detail,
)
from anxin.screening.views.survey import (
    SESSION_KEY,
    SurveyListView,
    survey_answer,
    survey_close,
    survey_codes,
    survey_create,
    survey_detail,
    survey_done,
    survey_enter,
    survey_public_url,
    survey_start,
)

__all__ = [
    "CHOICES",
    "DEFAULTS",
    "SESSION_KEY",
    "DutyLogListView",
    "HazardListView",
    "RectificationListView",
    "RiskChangesView",
    "RiskListView",
    "RoundListView",
    "ShiftListView",
    "SurveyListView",
    "TendencyListView",
    "VulnerabilityListView",
    "camera_edit",
    "camera_list",
    "category_edit",
    "category_list",
    "counts",
    "counts_school",
    "county_round_create",
    "county_round_detail",
    "dutylog_create",
    "hazard_coverage",
    "hazard_detail",
    "hazard_edit",
    "hazard_overview",
    "home",
    "measure_done",
    "rectification_edit",
    "risk_rules_page",
    "round_class",
    "round_complete",
    "round_create",
    "round_detail",
    "shift_edit",
    "student_risk",
    "survey_answer",
    "survey_close",
    "survey_codes",
    "survey_create",
    "survey_detail",
    "survey_done",
    "survey_enter",
    "survey_public_url",
    "survey_start",
    "tendency_create",
    "tendency_detail",
    "vulnerable_create",
    "vulnerable_end",
    "zone_create",
]
