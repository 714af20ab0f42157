"""Care pages (R-CARE-1…5): my students' care, the plan timeline, the quick log form, tasks,
counselling, the per-class mechanisms of 二(六), counts for the bureau and the 台账 export.
Views are thin: scope through core.access, rules in services.

One module per area; every view is re-exported here (``anxin.care.urls`` names them as
``views.<name>``):

- ``common``          — links to screening, labels, students enrolled in a class or school
- ``plans``           — the plan list, a plan's timeline, create, edit, close
- ``contacts``        — the quick log (from a plan or a student) and intervention tasks
- ``counselling``     — counselling sessions: list, record, read (notes audited)
- ``care_mechanisms`` — 二(六) mechanisms: the overview and one class's contact teachers, peer pairs
- ``reports``         — counts for the bureau and the 台账 export
"""

from __future__ import annotations

from .care_mechanisms import class_mechanisms, mechanisms
from .common import (
    PLAN_RELATED,
    SCREENING_STUDENT_URLS,
    _enrolled_in,
    _level_label,
    _local,
    _screening_url,
    _tendency_url,
)
from .contacts import TaskListView, _log, plan_log, student_log, task_detail
from .counselling import SessionCreateView, SessionListView, session_create, session_detail
from .plans import (
    PlanCreateView,
    PlanEditView,
    PlanListView,
    StudentFormView,
    _pick_student,
    plan_close,
    plan_create,
    plan_detail,
    plan_edit,
)
from .reports import register_export, stats

__all__ = [
    "PlanCreateView",
    "PlanEditView",
    "StudentFormView",
    "SessionCreateView",
    "SCREENING_STUDENT_URLS",
    "_local",
    "_screening_url",
    "_tendency_url",
    "_level_label",
    "_enrolled_in",
    "PLAN_RELATED",
    "PlanListView",
    "plan_detail",
    "_pick_student",
    "plan_create",
    "plan_edit",
    "plan_close",
    "plan_log",
    "student_log",
    "_log",
    "TaskListView",
    "task_detail",
    "SessionListView",
    "session_create",
    "session_detail",
    "mechanisms",
    "class_mechanisms",
    "stats",
    "register_export",
]
