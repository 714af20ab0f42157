"""Case pages (SPEC §6): the register (台账), the case page with its timeline and the actions
of its state, one form per step, the bureau-report pages, the committee and the holiday
calendar. Views are thin: they get objects through ``core.access`` and the case rules of
``anxin.cases.permissions``, parse forms and call ``anxin.cases.services``.

Where each page lives (``anxin.cases.views.<module>``; ``urls.py`` and the API use the names
re-exported here):

- ``register``: the register (台账) and opening a case;
- ``case_page``: the case page, transitions, evidence downloads;
- ``steps``: one form per step (the ``STEPS`` table and ``case_step``), with the service call of
  each step in ``step_actions``;
- ``reports``: bureau reports (page, .docx, acknowledgement, list);
- ``committee``: the school's committee;
- ``county``: the holiday calendar and the county's legal parameters;
- ``_common``: ``get_case_for_user``, the one way to get a case.
"""

from __future__ import annotations

from anxin.cases.views._common import (
    get_case_for_user,
)
from anxin.cases.views.case_page import (
    case_advance,
    case_detail,
    evidence_download,
    workflow_index,
)
from anxin.cases.views.committee import (
    committee_page,
)
from anxin.cases.views.county import (
    holiday_list,
    legal_params,
)
from anxin.cases.views.register import (
    CaseListView,
    case_new,
)
from anxin.cases.views.reports import (
    ReportListView,
    report_acknowledge,
    report_detail,
    report_docx,
    report_sign_off,
)
from anxin.cases.views.steps import (
    ACTION_RIGHTS,
    STEPS,
    Step,
    case_step,
)

__all__ = [
    "ACTION_RIGHTS",
    "CaseListView",
    "ReportListView",
    "STEPS",
    "Step",
    "case_advance",
    "case_detail",
    "case_new",
    "case_step",
    "committee_page",
    "evidence_download",
    "get_case_for_user",
    "holiday_list",
    "legal_params",
    "report_acknowledge",
    "report_sign_off",
    "report_detail",
    "report_docx",
    "workflow_index",
]
