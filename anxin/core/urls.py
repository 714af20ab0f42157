from django.urls import path

from anxin.core import views

app_name = "core"
urlpatterns = [
    path("home/", views.home, name="home"),
    path("switch-school/", views.switch_school, name="switch_school"),
    path("audit/", views.AuditListView.as_view(), name="audit_list"),
]
