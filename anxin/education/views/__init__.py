from anxin.education.views.activities import (  # noqa: F401
    ActivityListView,
    activity_classes,
    activity_close,
    activity_create,
    activity_detail,
    activity_edit,
    activity_material,
    activity_qr,
    activity_reopen,
    activity_staff,
    class_meeting_create,
    material_download,
)
from anxin.education.views.checkin import checkin  # noqa: F401
from anxin.education.views.coverage import coverage, settings_view  # noqa: F401
from anxin.education.views.evaluation import evaluation, evaluation_person, my_record  # noqa: F401
