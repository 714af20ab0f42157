"""Domain operations of the reporting channels — the only code that changes their state.

Pages and the API parse input and call these; rules hold on both. Each operation runs in one
transaction (nothing half-written) and refuses an illegal step with a Chinese message that
says what is missing. Content is written once and only annotated afterwards (R-RPT-4; LAW 8).

One module per stage; every name is re-exported here, so ``from anxin.intake import services``
and ``services.submit_report(...)`` keep working:

- ``common``     — text checks shared by every channel, recipients (triagers, principals, the
                   bureau), ``may_triage``, ``TRIAGE_PERM``, ``MIN_REASON_CHARS``
- ``submission`` — public submission (R-RPT-1): ``submit_report``, school places, attachments,
                   the batched creation audit, new-item alerts and the digest
- ``followup``   — the reporter's follow-up by code: thread, reporter messages and their alerts
- ``triage``     — staff channels (首问负责制 intake, concerns, hand-over to a colleague) and
                   triage (R-RPT-4): acknowledge, urgency, students, merge, close, reopen, reply,
                   notes
- ``handover``   — hand-over to the cases app (``open_case``, ``case_url``)
- ``emergency``  — emergency help (R-RPT-2), its escalation, and the on-duty roster
- ``county``     — the bureau's view: counts and ages, never contents (``county_backlog``)

Tests that replace a helper patch it where it is looked up (e.g.
``services.handover._open_case_function``).
"""

from __future__ import annotations

from .common import (
    MIN_REASON_CHARS,
    REPORT_AUDIT,
    TRIAGE_PERM,
    _behaviours,
    _choice,
    _collect,
    _holders,
    bureau_safety,
    clean_text,
    log,
    may_triage,
    principals,
    triagers,
)
from .county import SchoolBacklog, county_backlog
from .emergency import (
    _alert_emergency,
    _flood_window,
    _memberships_of,
    acknowledge_emergency,
    add_duty,
    emergency_by_token,
    escalate_emergencies,
    on_duty_leaders,
    raise_emergency,
    remove_duty,
)
from .followup import (
    _queue_reporter_message_alert,
    add_reporter_message,
    alert_reporter_message_now,
    find_by_code,
    thread,
)
from .handover import CASE_SOURCE, _open_case_function, case_opening_available, case_url, open_case
from .submission import (
    SPOT_PLACE,
    Submitted,
    _alert_new_item,
    _attach,
    _audit_batch,
    _date,
    _enqueue,
    _offered_places,
    _prepare_files,
    _queue_audit_new_reports,
    _queue_down,
    _queue_new_item_alert,
    _report_fields,
    _spot,
    alert_new_item_now,
    audit_new_reports,
    audit_queued_key,
    new_items_digest,
    place_text,
    school_places,
    submit_report,
)
from .triage import (
    _ack,
    _event,
    _lock,
    _reason,
    _require_active,
    _root,
    acknowledge,
    add_note,
    close,
    hand_over,
    link_students,
    mark_unfounded,
    merge,
    raise_concern,
    record_intake,
    reopen,
    reply,
    set_urgency,
)

__all__ = [
    "log",
    "TRIAGE_PERM",
    "REPORT_AUDIT",
    "MIN_REASON_CHARS",
    "clean_text",
    "_choice",
    "_behaviours",
    "_collect",
    "_holders",
    "triagers",
    "principals",
    "bureau_safety",
    "may_triage",
    "Submitted",
    "_report_fields",
    "SPOT_PLACE",
    "_offered_places",
    "school_places",
    "_spot",
    "_date",
    "submit_report",
    "audit_queued_key",
    "place_text",
    "_queue_audit_new_reports",
    "_queue_down",
    "_enqueue",
    "audit_new_reports",
    "_audit_batch",
    "_prepare_files",
    "_attach",
    "_queue_new_item_alert",
    "alert_new_item_now",
    "_alert_new_item",
    "new_items_digest",
    "find_by_code",
    "thread",
    "add_reporter_message",
    "_queue_reporter_message_alert",
    "alert_reporter_message_now",
    "record_intake",
    "raise_concern",
    "hand_over",
    "_lock",
    "_event",
    "_ack",
    "_require_active",
    "_reason",
    "acknowledge",
    "set_urgency",
    "link_students",
    "_root",
    "merge",
    "close",
    "mark_unfounded",
    "reopen",
    "reply",
    "add_note",
    "CASE_SOURCE",
    "_open_case_function",
    "case_opening_available",
    "case_url",
    "open_case",
    "on_duty_leaders",
    "raise_emergency",
    "_flood_window",
    "_alert_emergency",
    "emergency_by_token",
    "acknowledge_emergency",
    "escalate_emergencies",
    "add_duty",
    "_memberships_of",
    "remove_duty",
    "SchoolBacklog",
    "county_backlog",
]
