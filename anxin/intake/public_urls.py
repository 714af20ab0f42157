"""Public (no login) pages of the reporting channels under /s/<public_code>/…
(/s/<public_code>/ itself is the school's contacts page, served by anxin.org)."""

from django.urls import path

from anxin.intake import public_views

app_name = "intake_public"
urlpatterns = [
    path("<slug:public_code>/report/", public_views.report_form, name="report"),
    path("<slug:public_code>/help/", public_views.help_page, name="help"),
    path("<slug:public_code>/help/<str:token>/", public_views.help_status, name="help_status"),
    path("<slug:public_code>/followup/", public_views.followup, name="followup"),
]
