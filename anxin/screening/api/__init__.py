"""REST API of screening and early warning (R-Q-3): the same policy and the same services as
the pages. Lists are scoped with ``restrict``; writes go through ``anxin.screening.services``
(which check the object-level policy again). The bureau's figures (``counts``) carry no
names; student-level endpoints are closed to county roles by the policy.

The endpoints by area (``register(router)`` below adds them all to /api/v1/):

- ``rounds``        — rounds and per-student records (R-SCR-1)
- ``survey``        — peer-relationship surveys and their answers
- ``registers``     — vulnerability categories and entries, tendency register (R-SCR-2, R-SCR-3)
- ``risk``          — risk levels and history (R-SCR-4); the bureau's de-identified counts
- ``hazards``       — hazard points and measures (R-SCR-5), zones and cameras
- ``monitoring``    — duty roster and duty logs (R-SCR-6)
- ``rectification`` — problems and rectification (R-SCR-7)
- ``_common``       — per-serializer enums, scoped primary keys, service-backed create/update
"""

from anxin.screening.api.hazards import (
    CameraSerializer,
    CameraViewSet,
    CameraWriteSerializer,
    HazardSerializer,
    HazardViewSet,
    HazardWriteSerializer,
    MeasureSerializer,
    MeasureViewSet,
    MeasureWriteSerializer,
    ZoneSerializer,
    ZoneViewSet,
    ZoneWriteSerializer,
)
from anxin.screening.api.monitoring import (
    DutyLogSerializer,
    DutyLogViewSet,
    DutyLogWriteSerializer,
    ShiftSerializer,
    ShiftViewSet,
    ShiftWriteSerializer,
)
from anxin.screening.api.rectification import (
    RectificationSerializer,
    RectificationViewSet,
    RectificationWriteSerializer,
)
from anxin.screening.api.registers import (
    CategorySerializer,
    CategoryViewSet,
    EndSerializer,
    ReviewSerializer,
    TendencySerializer,
    TendencyViewSet,
    TendencyWriteSerializer,
    VulnerabilitySerializer,
    VulnerabilityViewSet,
    VulnerabilityWriteSerializer,
)
from anxin.screening.api.risk import (
    CountsViewSet,
    ReasonSerializer,
    RiskAssessmentSerializer,
    RiskAssessmentViewSet,
    RiskStateSerializer,
    RiskStateViewSet,
)
from anxin.screening.api.rounds import (
    CoverageRowSerializer,
    RecordSerializer,
    RecordViewSet,
    RecordWriteSerializer,
    RoundSerializer,
    RoundViewSet,
    RoundWriteSerializer,
)
from anxin.screening.api.survey import (
    SurveyResponseSerializer,
    SurveyResponseViewSet,
    SurveySerializer,
    SurveyViewSet,
    SurveyWriteSerializer,
)

__all__ = [
    "RoundSerializer",
    "RoundWriteSerializer",
    "CoverageRowSerializer",
    "RoundViewSet",
    "RecordSerializer",
    "RecordWriteSerializer",
    "RecordViewSet",
    "SurveySerializer",
    "SurveyResponseSerializer",
    "SurveyWriteSerializer",
    "SurveyViewSet",
    "SurveyResponseViewSet",
    "CategorySerializer",
    "CategoryViewSet",
    "VulnerabilitySerializer",
    "VulnerabilityWriteSerializer",
    "EndSerializer",
    "VulnerabilityViewSet",
    "TendencySerializer",
    "TendencyWriteSerializer",
    "ReviewSerializer",
    "TendencyViewSet",
    "ReasonSerializer",
    "RiskStateSerializer",
    "RiskAssessmentSerializer",
    "RiskStateViewSet",
    "RiskAssessmentViewSet",
    "CountsViewSet",
    "MeasureSerializer",
    "HazardSerializer",
    "HazardWriteSerializer",
    "MeasureWriteSerializer",
    "HazardViewSet",
    "MeasureViewSet",
    "ZoneSerializer",
    "ZoneWriteSerializer",
    "ZoneViewSet",
    "CameraSerializer",
    "CameraWriteSerializer",
    "CameraViewSet",
    "ShiftSerializer",
    "ShiftWriteSerializer",
    "ShiftViewSet",
    "DutyLogSerializer",
    "DutyLogWriteSerializer",
    "DutyLogViewSet",
    "RectificationSerializer",
    "RectificationWriteSerializer",
    "RectificationViewSet",
    "register",
]


def register(router) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    p = "screening/"
    router.register(p + "rounds", RoundViewSet, basename="screening-round")
    router.register(p + "records", RecordViewSet, basename="screening-record")
    router.register(p + "surveys", SurveyViewSet, basename="screening-survey")
    router.register(p + "survey-responses", SurveyResponseViewSet, basename="screening-survey-response")
    router.register(p + "categories", CategoryViewSet, basename="screening-category")
    router.register(p + "vulnerable", VulnerabilityViewSet, basename="screening-vulnerable")
    router.register(p + "tendency", TendencyViewSet, basename="screening-tendency")
    router.register(p + "risk", RiskStateViewSet, basename="screening-risk")
    router.register(p + "risk-history", RiskAssessmentViewSet, basename="screening-risk-history")
    router.register(p + "hazards", HazardViewSet, basename="screening-hazard")
    router.register(p + "measures", MeasureViewSet, basename="screening-measure")
    router.register(p + "zones", ZoneViewSet, basename="screening-zone")
    router.register(p + "cameras", CameraViewSet, basename="screening-camera")
    router.register(p + "duty-shifts", ShiftViewSet, basename="screening-duty-shift")
    router.register(p + "duty-logs", DutyLogViewSet, basename="screening-duty-log")
    router.register(p + "rectifications", RectificationViewSet, basename="screening-rectification")
    router.register(p + "counts", CountsViewSet, basename="screening-counts")
