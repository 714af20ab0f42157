from django.urls import path

from anxin.education import views

app_name = "education"
urlpatterns = [
    path("", views.ActivityListView.as_view(), name="activity_list"),
    path("activities/new/", views.activity_create, name="activity_create"),
    path("class-meeting/new/", views.class_meeting_create, name="class_meeting_create"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/classes/", views.activity_classes, name="activity_classes"),
    path("activities/<int:pk>/staff/", views.activity_staff, name="activity_staff"),
    path("activities/<int:pk>/materials/", views.activity_material, name="activity_material"),
    path("activities/<int:pk>/close/", views.activity_close, name="activity_close"),
    path("activities/<int:pk>/reopen/", views.activity_reopen, name="activity_reopen"),
    path("activities/<int:pk>/qr/", views.activity_qr, name="activity_qr"),
    path("materials/<int:pk>/", views.material_download, name="material_download"),
    path("checkin/<str:token>/", views.checkin, name="checkin"),
    path("coverage/", views.coverage, name="coverage"),
    path("settings/", views.settings_view, name="settings"),
    path("evaluation/", views.evaluation, name="evaluation"),
    path("evaluation/<int:school_pk>/<int:user_pk>/", views.evaluation_person, name="evaluation_person"),
    path("my-record/", views.my_record, name="my_record"),
]
