from django.urls import path

from anxin.roster import views

app_name = "roster"
urlpatterns = [
    path("students/", views.student_list, name="student_list"),
    path("students/<int:pk>/", views.student_detail, name="student_detail"),
    path("students/<int:pk>/sensitive/", views.student_sensitive, name="student_sensitive"),
    path("students/<int:pk>/edit/", views.student_edit, name="student_edit"),
    path("students/<int:pk>/move/", views.student_move, name="student_move"),
    path("imports/", views.import_list, name="import_list"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/commit/", views.import_commit, name="import_commit"),
    path("template.xlsx", views.template, name="template"),
    path("staff-template.xlsx", views.staff_template, name="staff_template"),
]
