"""Public (no login) pages of the reporting channels under /s/<public_code>/…"""

from django.urls import path  # noqa: F401

app_name = "intake_public"
urlpatterns: list = []
