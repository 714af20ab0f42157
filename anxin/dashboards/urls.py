from django.urls import path

from anxin.dashboards import returns, views, week

app_name = "dashboards"

urlpatterns = [
    path("", views.county, name="county"),
    path("school/", views.school_home, name="school_home"),
    path("school/<int:pk>/", views.school, name="school"),
    path("grade/<int:pk>/", views.grade, name="grade"),
    path("class/<int:pk>/", views.klass, name="klass"),
    path("region/", views.region, name="region"),
    path("region/<int:pk>/", views.region, name="region_child"),
    path("region/<int:pk>/overview.xlsx", views.region_xlsx, name="region_xlsx"),
    path("week/", week.week, name="week"),
    path("hotspots/", week.hotspots, name="hotspots"),
    path("returns.xlsx", returns.returns_xlsx, name="returns_xlsx"),
    path("report.docx", returns.report_docx, name="report_docx"),
]
