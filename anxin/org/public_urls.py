"""Public pages of a school, no login (R-ORG-5): named by the school's public code."""

from django.urls import path  # noqa: F401

app_name = "public"
urlpatterns: list = []
