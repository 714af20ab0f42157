"""Domain operations of care and intervention: the only place that changes care state.

Every function receives the acting user (``by``), checks the policy itself (pages and the API
check before calling; this is the second line) and runs in one transaction. Rule violations
raise ``ValidationError`` with a Chinese message; missing rights raise ``PermissionDenied``.
History is written by the models' ``@audited`` signals; reads of counselling notes are recorded
here (:func:`read_notes`).

One module per area; every name is re-exported here (``from anxin.care import services`` keeps
working):

- ``common``      — settings (back-dating, task days), the policy check, people (class teachers,
                    safety leaders, staff choices) and risk levels from screening
- ``plans``       — care plans: create, update, close, next contact due
- ``contacts``    — contact logs (``log_contact``, ``LOGGABLE_KINDS``) and intervention tasks
- ``counselling`` — counselling sessions and the audited reading of their notes (R-CARE-4)
- ``mechanisms``  — 二(六) mechanisms: 师生联系, 同学互助, 家校互通 (R-CARE-5)
- ``overdue``     — the overdue sweep (R-CARE-1)
- ``stats``       — de-identified counts for the bureau
"""

from __future__ import annotations

from .common import (
    DEFAULT_TASK_DAYS,
    MAX_BACKDATE_DAYS,
    _holders,
    _normalise_level,
    _require,
    _setting,
    class_teachers,
    default_owner,
    elevated,
    safety_leaders,
    school_staff,
    screening_level,
    screening_levels,
    staff_choices,
)
from .contacts import LOGGABLE_KINDS, _task_url, _tell_risk_engine, log_contact, open_task_from, update_task
from .counselling import can_read_notes, read_notes, record_counselling
from .mechanisms import (
    _count,
    _enrolled,
    add_peer_pair,
    assign_unassigned,
    class_mechanisms,
    end_peer_pair,
    mechanism_summary,
    set_contact_teacher,
    term_start,
)
from .overdue import _recipients_for, flag_overdue, sweep, sync_plans
from .plans import (
    DEFAULT_MEASURES,
    PLAN_EDITABLE,
    _check_owner,
    _plan_for,
    _refresh_plans,
    close_plan,
    create_plan,
    next_due,
    update_plan,
)
from .stats import stats_by_school

__all__ = [
    "MAX_BACKDATE_DAYS",
    "DEFAULT_TASK_DAYS",
    "_require",
    "_setting",
    "_holders",
    "class_teachers",
    "safety_leaders",
    "default_owner",
    "staff_choices",
    "school_staff",
    "_normalise_level",
    "screening_level",
    "screening_levels",
    "elevated",
    "next_due",
    "_check_owner",
    "DEFAULT_MEASURES",
    "create_plan",
    "PLAN_EDITABLE",
    "update_plan",
    "close_plan",
    "_refresh_plans",
    "_plan_for",
    "LOGGABLE_KINDS",
    "log_contact",
    "_task_url",
    "_tell_risk_engine",
    "open_task_from",
    "update_task",
    "can_read_notes",
    "read_notes",
    "record_counselling",
    "term_start",
    "set_contact_teacher",
    "assign_unassigned",
    "add_peer_pair",
    "end_peer_pair",
    "_enrolled",
    "class_mechanisms",
    "_count",
    "mechanism_summary",
    "sync_plans",
    "flag_overdue",
    "_recipients_for",
    "sweep",
    "stats_by_school",
]
