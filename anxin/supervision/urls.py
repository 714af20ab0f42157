from django.urls import path

from anxin.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.VisitListView.as_view(), name="visit_list"),
    path("visits/new/", views.visit_create, name="visit_create"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/opinion.docx", views.visit_docx, name="visit_docx"),
    path("visits/<int:pk>/rectifications/new/", views.rectification_create, name="rectification_create"),
    path("visits/<int:pk>/remove/", views.school_remove, name="school_remove"),
    path("rectifications/", views.RectificationListView.as_view(), name="rectification_list"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification_detail"),
    path("rectifications/<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("checklist/", views.checklist, name="checklist"),
    path("checklist/<int:pk>/", views.checklist_item_edit, name="checklist_item_edit"),
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/new/", views.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/members/", views.member_add, name="member_add"),
    path("inspections/<int:pk>/schools/", views.school_add, name="school_add"),
    path("inspections/<int:pk>/close/", views.inspection_close, name="inspection_close"),
    path("inspections/<int:pk>/summary.xlsx", views.inspection_xlsx, name="inspection_xlsx"),
    path("members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("partners/", views.partner_list, name="partner_list"),
    path("partners/new/", views.partner_edit, name="partner_create"),
    path("partners/<int:pk>/", views.partner_edit, name="partner_edit"),
    path("contacts/<int:pk>/remove/", views.contact_remove, name="contact_remove"),
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/new/", views.referral_create, name="referral_create"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
]
