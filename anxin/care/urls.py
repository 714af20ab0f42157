from django.urls import path

from anxin.care import views

app_name = "care"
urlpatterns = [
    path("", views.PlanListView.as_view(), name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/close/", views.plan_close, name="plan_close"),
    path("plans/<int:pk>/log/", views.plan_log, name="plan_log"),
    path("students/<int:student_pk>/log/", views.student_log, name="student_log"),
    path("tasks/", views.TaskListView.as_view(), name="task_list"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("counselling/", views.SessionListView.as_view(), name="session_list"),
    path("counselling/new/", views.session_create, name="session_create"),
    path("counselling/<int:pk>/", views.session_detail, name="session_detail"),
    path("mechanisms/", views.mechanisms, name="mechanisms"),
    path("mechanisms/class/<int:pk>/", views.class_mechanisms, name="class_mechanisms"),
    path("stats/", views.stats, name="stats"),
    path("register.xlsx", views.register_export, name="register_export"),
]
