"""Public pages of a school, no login (R-ORG-5): named by the school's public code."""

from django.urls import path

from anxin.org import views

app_name = "public"
urlpatterns = [
    path("<slug:public_code>/", views.public_school, name="school"),
]
