from django.urls import path

from anxin.screening import class_sheet, views

app_name = "screening"
urlpatterns = [
    path("", views.home, name="home"),
    # screening rounds (R-SCR-1)
    path("rounds/", views.RoundListView.as_view(), name="round_list"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/county/new/", views.county_round_create, name="county_round_create"),
    path("rounds/county/<int:pk>/", views.county_round_detail, name="county_round_detail"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/complete/", views.round_complete, name="round_complete"),
    path("rounds/<int:pk>/class/<int:klass_pk>/", views.round_class, name="round_class"),
    path("rounds/<int:pk>/class/<int:klass_pk>/normal/", class_sheet.bulk_normal, name="round_class_normal"),
    # peer-relationship survey
    path("surveys/", views.SurveyListView.as_view(), name="survey_list"),
    path("surveys/new/", views.survey_create, name="survey_create"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey_detail"),
    path("surveys/<int:pk>/codes/", views.survey_codes, name="survey_codes"),
    path("surveys/<int:pk>/close/", views.survey_close, name="survey_close"),
    # public, no account: students answer with the class code and a personal code
    path("q/", views.survey_start, name="survey_start"),
    path("q/done/", views.survey_done, name="survey_done"),
    path("q/<slug:class_code>/", views.survey_enter, name="survey_enter"),
    path("q/<slug:class_code>/answer/", views.survey_answer, name="survey_answer"),
    # registers (R-SCR-2, R-SCR-3)
    path("vulnerable/", views.VulnerabilityListView.as_view(), name="vulnerable_list"),
    path("vulnerable/new/", views.vulnerable_create, name="vulnerable_create"),
    path("vulnerable/<int:pk>/end/", views.vulnerable_end, name="vulnerable_end"),
    path("categories/", views.category_list, name="category_list"),
    path("categories/new/", views.category_edit, name="category_create"),
    path("categories/<int:pk>/", views.category_edit, name="category_edit"),
    path("tendency/", views.TendencyListView.as_view(), name="tendency_list"),
    path("tendency/new/", views.tendency_create, name="tendency_create"),
    path("tendency/<int:pk>/", views.tendency_detail, name="tendency_detail"),
    # risk (R-SCR-4)
    path("risk/", views.RiskListView.as_view(), name="risk_list"),
    path("risk/changes/", views.RiskChangesView.as_view(), name="risk_changes"),
    path("risk/rules/", views.risk_rules_page, name="risk_rules"),
    path("risk/student/<int:student_pk>/", views.student_risk, name="student_risk"),
    # county figures, no names
    path("counts/", views.counts, name="counts"),
    path("counts/<int:school_pk>/", views.counts_school, name="counts_school"),
    # hazard points and monitoring (R-SCR-5, R-SCR-6)
    path("hazards/", views.HazardListView.as_view(), name="hazard_list"),
    path("hazards/new/", views.hazard_edit, name="hazard_create"),
    path("hazards/overview/", views.hazard_overview, name="hazard_overview"),
    path("hazards/coverage/", views.hazard_coverage, name="hazard_coverage"),
    path("hazards/<int:pk>/", views.hazard_detail, name="hazard_detail"),
    path("hazards/<int:pk>/edit/", views.hazard_edit, name="hazard_edit"),
    path("measures/<int:pk>/done/", views.measure_done, name="measure_done"),
    path("cameras/", views.camera_list, name="camera_list"),
    path("cameras/new/", views.camera_edit, name="camera_create"),
    path("cameras/<int:pk>/", views.camera_edit, name="camera_edit"),
    path("zones/new/", views.zone_create, name="zone_create"),
    path("duty/", views.ShiftListView.as_view(), name="shift_list"),
    path("duty/new/", views.shift_edit, name="shift_create"),
    path("duty/<int:pk>/", views.shift_edit, name="shift_edit"),
    path("duty/logs/", views.DutyLogListView.as_view(), name="dutylog_list"),
    path("duty/logs/new/", views.dutylog_create, name="dutylog_create"),
    # problems and rectification (R-SCR-7)
    path("problems/", views.RectificationListView.as_view(), name="rectification_list"),
    path("problems/new/", views.rectification_edit, name="rectification_create"),
    path("problems/<int:pk>/", views.rectification_edit, name="rectification_edit"),
]
