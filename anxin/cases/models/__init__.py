"""Incident cases (SPEC §6, R-CASE-1…10; LAW rules 1–17).

A :class:`BullyingCase` moves through an explicit state machine (``anxin.cases.workflow``);
everything recorded about it is a row of its own table, and every action appends a
hash-chained :class:`CaseEvent` to the case's own stream (R-CASE-10; LAW 8). State changes
only through ``anxin.cases.services``. Rows are never deleted (``on_delete=PROTECT``
everywhere); corrections are new events that point at what they correct.

The models are grouped by stage in ``anxin.cases.models.<module>`` and all re-exported here
(``from anxin.cases.models import Appeal`` keeps working; the app label stays ``cases``):
``case`` (the case, parties), ``record`` (notices, 初步处置, investigation, statements,
evidence), ``determination`` (committee, determinations), ``handling`` (measures, special
school, support), ``reports`` (bureau reports), ``referrals`` (police, referrals), ``appeals``
(appeals, follow-ups, notes), ``timeline`` (events), ``county`` (holidays, legal parameters).
"""

from __future__ import annotations

from anxin.cases.models.appeals import (
    Appeal,
    AppealKind,
    AppealOutcome,
    CaseNote,
    FollowUp,
    FollowUpOutcome,
)
from anxin.cases.models.case import (
    FIRST_RESPONDER_SOURCES,
    GENESIS,
    STATE_ORDER,
    USER,
    BehaviourType,
    BullyingCase,
    CaseChild,
    CaseCounter,
    CaseManager,
    CaseParty,
    CaseQuerySet,
    CaseState,
    PartyRole,
    Result,
    Source,
)
from anxin.cases.models.county import (
    Holiday,
    LegalParameterVersion,
)
from anxin.cases.models.determination import (
    Committee,
    CommitteeMember,
    Determination,
    DeterminationBully,
    DeterminationMember,
    DeterminationSource,
    MemberKind,
)
from anxin.cases.models.handling import (
    COUNSELLING_KINDS,
    ApplicationStatus,
    Measure,
    MeasureState,
    SpecialSchoolApplication,
    SupportAction,
    SupportKind,
)
from anxin.cases.models.record import (
    Evidence,
    GuardianNotice,
    ImmediateKind,
    ImmediateMeasure,
    Investigation,
    NoticeMethod,
    NoticePurpose,
    SpeakerKind,
    Statement,
    evidence_path,
)
from anxin.cases.models.referrals import (
    CaseReferral,
    PoliceReport,
)
from anxin.cases.models.reports import (
    ACK_FIELDS,
    REPORT_FIELDS,
    BureauReport,
    ReportKind,
)
from anxin.cases.models.timeline import (
    CaseEvent,
)

__all__ = [
    "GENESIS",
    "USER",
    "CaseState",
    "STATE_ORDER",
    "Source",
    "FIRST_RESPONDER_SOURCES",
    "BehaviourType",
    "Result",
    "PartyRole",
    "CaseQuerySet",
    "CaseManager",
    "BullyingCase",
    "CaseCounter",
    "CaseChild",
    "CaseParty",
    "NoticeMethod",
    "NoticePurpose",
    "GuardianNotice",
    "ImmediateKind",
    "ImmediateMeasure",
    "Investigation",
    "SpeakerKind",
    "Statement",
    "evidence_path",
    "Evidence",
    "MemberKind",
    "Committee",
    "CommitteeMember",
    "DeterminationSource",
    "Determination",
    "DeterminationMember",
    "DeterminationBully",
    "MeasureState",
    "Measure",
    "ApplicationStatus",
    "SpecialSchoolApplication",
    "SupportKind",
    "COUNSELLING_KINDS",
    "SupportAction",
    "ReportKind",
    "REPORT_FIELDS",
    "ACK_FIELDS",
    "BureauReport",
    "PoliceReport",
    "CaseReferral",
    "AppealKind",
    "AppealOutcome",
    "Appeal",
    "FollowUpOutcome",
    "FollowUp",
    "CaseNote",
    "CaseEvent",
    "Holiday",
    "LegalParameterVersion",
    "CaseSeal",
]

from anxin.cases.seal_models import CaseSeal  # noqa: E402 — LAW 24 sealed records (cases.sealing)
