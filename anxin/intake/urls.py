from django.urls import path

from anxin.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.InboxView.as_view(), name="inbox"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/<slug:action>/", views.report_action, name="report_action"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("concerns/new/", views.concern_new, name="concern_new"),
    path("record/", views.intake_new, name="intake_new"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/hand-over/", views.mine_handover, name="mine_handover"),
    path("emergencies/", views.EmergencyListView.as_view(), name="emergency_list"),
    path("emergencies/<int:pk>/", views.emergency_detail, name="emergency_detail"),
    path("emergencies/<int:pk>/acknowledge/", views.emergency_ack, name="emergency_ack"),
    path("duty/", views.duty, name="duty"),
    path("duty/<int:pk>/remove/", views.duty_remove, name="duty_remove"),
    path("county/", views.county, name="county"),
    path("county/inbox/", views.CountyInboxView.as_view(), name="county_inbox"),
    path("county/inbox/<int:pk>/", views.county_inbox_detail, name="county_inbox_detail"),
    path("posters/", views.posters, name="posters"),
    path("posters/<int:pk>/poster.pdf", views.poster_pdf, name="poster_pdf"),
    path("posters/<int:pk>/poster.png", views.poster_png, name="poster_png"),
]
