"""The supervision pages: visits and rectification, joint inspections, partners and referrals."""

from anxin.supervision.views.inspections import (  # noqa: F401
    inspection_close,
    inspection_create,
    inspection_detail,
    inspection_list,
    inspection_xlsx,
    member_add,
    member_remove,
    school_add,
    school_remove,
)
from anxin.supervision.views.partners import (  # noqa: F401
    contact_remove,
    partner_edit,
    partner_list,
    referral_create,
    referral_detail,
    referral_list,
)
from anxin.supervision.views.visits import (  # noqa: F401
    RectificationListView,
    VisitListView,
    checklist,
    checklist_item_edit,
    evidence_download,
    evidence_upload,
    rectification_create,
    rectification_detail,
    visit_create,
    visit_detail,
    visit_docx,
)
