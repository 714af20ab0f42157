from django.urls import path

from anxin.governance import views

app_name = "governance"
urlpatterns = [
    path("", views.board, name="board"),
    path("selfchecks/", views.SelfCheckListView.as_view(), name="selfcheck_list"),
    path("selfchecks/new/", views.selfcheck_start, name="selfcheck_start"),
    path("selfchecks/<int:pk>/", views.selfcheck_detail, name="selfcheck_detail"),
    path("selfchecks/<int:pk>/submit/", views.selfcheck_submit, name="selfcheck_submit"),
    path("answers/<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("checklist/", views.checklist, name="checklist"),
    path("checklist/<int:pk>/", views.checklist_item_edit, name="checklist_item_edit"),
    path("settings/", views.settings_view, name="settings"),
    path("documents/", views.documents, name="documents"),
    path("documents/new/", views.version_create, name="version_create"),
    path("documents/<int:pk>/file/", views.version_download, name="version_download"),
    path("workplan/", views.workplan, name="workplan"),
    path("workplan/draft.docx", views.workplan_draft, name="workplan_draft"),
    path("leading-group/", views.leading_group, name="leading_group"),
    path("leading-group.docx", views.leading_group_docx_view, name="leading_group_docx"),
    path("improvements/", views.ImprovementListView.as_view(), name="improvement_list"),
    path("improvements/new/", views.improvement_create, name="improvement_create"),
    path("improvements/<int:pk>/", views.improvement_detail, name="improvement_detail"),
    path("lessons/", views.LessonListView.as_view(), name="lesson_list"),
    path("lessons/new/", views.lesson_create, name="lesson_create"),
    path("lessons/<int:pk>/", views.lesson_detail, name="lesson_detail"),
    path("lessons/<int:pk>/edit/", views.lesson_edit, name="lesson_edit"),
    path("lessons/<int:pk>/publish/", views.lesson_publish, name="lesson_publish"),
    path("lessons/<int:pk>/assign/", views.lesson_assign, name="lesson_assign"),
    path("assignments/<int:pk>/studied/", views.lesson_study, name="lesson_study"),
]
