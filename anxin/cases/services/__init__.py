"""Domain operations of incident cases: the ONLY place that changes case state (GUIDE).

Every operation:

1. locks the case row (``select_for_update``) inside one transaction, and — when the caller
   passes ``expected_version`` (forms and the API do) — refuses if someone else acted on the
   case since the page was loaded; it then checks the state *inside* the transaction, so two
   people completing conflicting steps at once cannot both succeed;
2. checks the actor's right on this case (``anxin.cases.permissions``; pages and the API
   check first, this is the second line);
3. checks the law (``anxin.cases.rules`` consulting ``anxin.cases.law``) and refuses with a
   Chinese message naming what is missing (:class:`Refused`, a ``ValidationError``);
4. writes its rows and appends one hash-chained event to the case's timeline; the models'
   ``@audited`` signals write the audit trail. Signals to other apps and e-mail go out only
   after the transaction commits.

Nothing is deleted: corrections, downgrades and appeal outcomes are new rows and new events
that point at what they change (LAW 8).

Where each stage lives (``anxin.cases.services.<module>``; every name is re-exported here, so
callers keep writing ``services.open_case(...)``):

=====================================  =====================  ==================================
Stage of the workflow                  Module                 Operations
=====================================  =====================  ==================================
the frame, refusals, who to tell       ``_common``            ``Refused``, ``_acting``, the
                                                              effects of a determination
opening and completing the record      ``opening``            ``open_case``, ``add_party``,
(制止, 家校互通)                                              ``update_facts``, ``correct_facts``,
                                                              ``flag_for_report``,
                                                              ``record_immediate``,
                                                              ``notify_guardian``
investigation and evidence             ``investigation``      ``record_statement``,
                                                              ``update_investigation``,
                                                              ``upload_evidence``
the main track, direct settlement      ``transitions``        ``advance``, ``close_unfounded``,
                                                              ``settle_directly``,
                                                              ``escalate_settlement``, ``EFFECTS``
committee and determination            ``determination``      ``constitute_committee``,
                                                              ``add_member``,
                                                              ``record_determination``
measures and hearings                  ``measures``           ``record_measure``,
                                                              ``record_defence``,
                                                              ``record_hearing``,
                                                              ``put_into_effect``,
                                                              ``complete_measure``
support (LAW 9)                        ``support``            ``record_support``
referrals and police                   ``referrals``          ``refer_case``,
                                                              ``record_referral_outcome``,
                                                              ``record_police_report``
bureau reports (首报/续报/终报)        ``bureau_reports``     ``draft_report``, ``sign_off``,
                                                              ``submit_report``,
                                                              ``acknowledge_report``
appeals and special schools            ``appeals``            ``file_appeal``, ``decide_appeal``,
                                                              ``apply_special_school``,
                                                              ``decide_special_school``
follow-up and notes                    ``follow_up``          ``record_follow_up``, ``add_note``
reassigning the handler (更换承办人)   ``handover``           ``reassign_case``
=====================================  =====================  ==================================

"How an appeal is decided" is ``appeals.decide_appeal``; the state machine it moves along is
``anxin.cases.workflow`` and the law it consults is ``anxin.cases.rules`` / ``anxin.cases.law``.
"""

from __future__ import annotations

from anxin.cases.services._common import (
    STEP_LABELS,
    Refused,
    StaleCase,
    bureau_staff,
    case_url,
    school_leaders,
)
from anxin.cases.services.appeals import (
    apply_special_school,
    decide_appeal,
    decide_special_school,
    file_appeal,
)
from anxin.cases.services.bureau_reports import (
    REQUIRED_FIRST,
    UNDER_INVESTIGATION,
    acknowledge_report,
    draft_report,
    leadership_contact,
    may_sign,
    report_diff,
    sign_off,
    submit_report,
    update_report,
)
from anxin.cases.services.determination import (
    add_member,
    committee_for,
    constitute_committee,
    member_leaves,
    record_determination,
)
from anxin.cases.services.follow_up import (
    add_note,
    record_follow_up,
)
from anxin.cases.services.handover import reassign_case
from anxin.cases.services.investigation import (
    check_upload,
    record_statement,
    update_investigation,
    upload_evidence,
)
from anxin.cases.services.measures import (
    allowed_items,
    complete_measure,
    put_into_effect,
    record_defence,
    record_hearing,
    record_measure,
)
from anxin.cases.services.opening import (
    FACT_FIELDS,
    FACT_LABELS,
    SEALED_FACTS,
    add_party,
    correct_facts,
    flag_for_report,
    notify_guardian,
    open_case,
    record_immediate,
    record_participation,
    update_facts,
)
from anxin.cases.services.referrals import (
    receive_referral,
    record_police_outcome,
    record_police_report,
    record_referral_outcome,
    refer_case,
)
from anxin.cases.services.support import (
    record_support,
)
from anxin.cases.services.transitions import (
    EFFECTS,
    advance,
    close_unfounded,
    escalate_settlement,
    settle_directly,
)

__all__ = [
    "EFFECTS",
    "FACT_FIELDS",
    "FACT_LABELS",
    "REQUIRED_FIRST",
    "Refused",
    "SEALED_FACTS",
    "STEP_LABELS",
    "StaleCase",
    "UNDER_INVESTIGATION",
    "acknowledge_report",
    "add_member",
    "add_note",
    "add_party",
    "advance",
    "allowed_items",
    "apply_special_school",
    "bureau_staff",
    "case_url",
    "check_upload",
    "close_unfounded",
    "committee_for",
    "complete_measure",
    "constitute_committee",
    "correct_facts",
    "decide_appeal",
    "decide_special_school",
    "draft_report",
    "escalate_settlement",
    "file_appeal",
    "flag_for_report",
    "member_leaves",
    "notify_guardian",
    "open_case",
    "put_into_effect",
    "receive_referral",
    "record_defence",
    "record_determination",
    "record_follow_up",
    "record_hearing",
    "record_immediate",
    "record_measure",
    "record_participation",
    "record_police_outcome",
    "record_police_report",
    "record_referral_outcome",
    "record_statement",
    "record_support",
    "refer_case",
    "reassign_case",
    "report_diff",
    "school_leaders",
    "settle_directly",
    "submit_report",
    "sign_off",
    "may_sign",
    "leadership_contact",
    "update_facts",
    "update_investigation",
    "update_report",
    "upload_evidence",
]
