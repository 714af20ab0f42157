"""Screening and early warning (SPEC §3, R-SCR-1…7; seed 二(一), 二(二), 三 第一、二阶段).

Screening rounds and their per-student records, the peer-relationship survey, the registers
(弱势学生, 欺凌倾向), the risk level of each student with its history, hazard points and
their 人防/物防/技防 measures, cameras, the monitoring duty roster and logs, and the school's
problems and rectification. Every table carries county and school keys and is read through
``objects.restrict(user, action)``.

The tables by area (every model and choice is re-exported here: ``from anxin.screening.models
import HazardPoint``; Django finds the models through this package):

- ``rounds``        — CountyRound, ScreeningRound, ScreeningRecord and its choices (R-SCR-1)
- ``survey``        — PeerSurvey, SurveyToken, SurveyResponse, Nomination; codes (同学关系状况)
- ``registers``     — VulnerabilityCategory, VulnerabilityEntry, TendencyEntry, TendencyReview
                      (R-SCR-2, R-SCR-3)
- ``risk``          — Level, RiskSignal, RiskState, RiskAssessment (R-SCR-4); the rules table
                      is ``anxin.screening.risk_rules``
- ``hazards``       — HazardPoint, HazardMeasure, MonitoringZone, Camera, CameraCover (R-SCR-5)
- ``monitoring``    — DutyShift, DutyLog (R-SCR-6)
- ``rectification`` — Rectification (R-SCR-7)
"""

from anxin.screening.models.hazards import (
    Camera,
    CameraCover,
    HazardKind,
    HazardMeasure,
    HazardPoint,
    MeasureType,
    MonitoringZone,
    RiskGrade,
)
from anxin.screening.models.monitoring import (
    DutyLog,
    DutyShift,
    KeyPeriod,
)
from anxin.screening.models.rectification import (
    Rectification,
)
from anxin.screening.models.registers import (
    EntrySource,
    RosterFlag,
    TendencyEntry,
    TendencyReview,
    VulnerabilityCategory,
    VulnerabilityEntry,
)
from anxin.screening.models.risk import (
    Level,
    RiskAssessment,
    RiskSignal,
    RiskState,
)
from anxin.screening.models.rounds import (
    CountyRound,
    Mood,
    Peers,
    Psych,
    ScreeningRecord,
    ScreeningRound,
)
from anxin.screening.models.survey import (
    BEHAVIOUR_SHORT,
    CODE_ALPHABET,
    BehaviourType,
    Frequency,
    Nomination,
    PeerSurvey,
    Place,
    SurveyResponse,
    SurveyToken,
    TimeSlot,
    _class_code,
    random_code,
)

__all__ = [
    "CountyRound",
    "ScreeningRound",
    "Psych",
    "Mood",
    "Peers",
    "ScreeningRecord",
    "CODE_ALPHABET",
    "random_code",
    "_class_code",
    "BehaviourType",
    "BEHAVIOUR_SHORT",
    "Frequency",
    "Place",
    "TimeSlot",
    "PeerSurvey",
    "SurveyToken",
    "SurveyResponse",
    "Nomination",
    "RosterFlag",
    "VulnerabilityCategory",
    "EntrySource",
    "VulnerabilityEntry",
    "TendencyEntry",
    "TendencyReview",
    "Level",
    "RiskSignal",
    "RiskState",
    "RiskAssessment",
    "HazardKind",
    "RiskGrade",
    "MeasureType",
    "HazardPoint",
    "HazardMeasure",
    "MonitoringZone",
    "Camera",
    "CameraCover",
    "KeyPeriod",
    "DutyShift",
    "DutyLog",
    "Rectification",
]
