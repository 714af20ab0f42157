"""The governance pages: self-check, documents and work plan, leading group, 举一反三, lessons."""

from anxin.governance.views.documents import (  # noqa: F401
    ImprovementListView,
    documents,
    improvement_create,
    improvement_detail,
    leading_group,
    leading_group_docx_view,
    version_create,
    version_download,
    workplan,
    workplan_draft,
)
from anxin.governance.views.lessons import (  # noqa: F401
    LessonListView,
    lesson_assign,
    lesson_create,
    lesson_detail,
    lesson_edit,
    lesson_publish,
    lesson_study,
)
from anxin.governance.views.selfcheck import (  # noqa: F401
    SelfCheckListView,
    board,
    checklist,
    checklist_item_edit,
    evidence_download,
    evidence_upload,
    selfcheck_detail,
    selfcheck_start,
    selfcheck_submit,
    settings_view,
)
