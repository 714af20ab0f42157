from django.urls import path

from anxin.cases import sealing, views

app_name = "cases"
urlpatterns = [
    path("", views.CaseListView.as_view(), name="case_list"),
    path("new/", views.case_new, name="case_new"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/do/<slug:step>/", views.case_step, name="case_step"),
    path("<int:pk>/advance/<slug:name>/", views.case_advance, name="case_advance"),
    path("<int:pk>/seal/", sealing.seal_view, name="case_seal"),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.evidence_download, name="evidence_download"),
    path("reports/", views.ReportListView.as_view(), name="report_list"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/docx/", views.report_docx, name="report_docx"),
    path("reports/<int:pk>/acknowledge/", views.report_acknowledge, name="report_acknowledge"),
    path("reports/<int:pk>/sign-off/", views.report_sign_off, name="report_sign_off"),
    path("committee/", views.committee_page, name="committee"),
    path("holidays/", views.holiday_list, name="holidays"),
    path("legal-parameters/", views.legal_params, name="legal_params"),
]
