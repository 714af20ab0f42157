from django.urls import include, path
from django.views.i18n import set_language

from anxin.core import views as core_views

urlpatterns = [
    path("", core_views.root, name="root"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("anxin.core.urls")),
    path("accounts/", include("anxin.accounts.urls")),
    path("org/", include("anxin.org.urls")),
    path("roster/", include("anxin.roster.urls")),
    path("intake/", include("anxin.intake.urls")),
    path("cases/", include("anxin.cases.urls")),
    path("screening/", include("anxin.screening.urls")),
    path("care/", include("anxin.care.urls")),
    path("campaigns/", include("anxin.campaigns.urls")),
    path("governance/", include("anxin.governance.urls")),
    path("oversight/", include("anxin.oversight.urls")),
    path("education/", include("anxin.education.urls")),
    path("supervision/", include("anxin.supervision.urls")),
    path("dashboards/", include("anxin.dashboards.urls")),
    path("s/", include("anxin.org.public_urls")),
    path("s/", include("anxin.intake.public_urls")),
    path("api/v1/", include("config.api_urls")),
]

handler403 = "anxin.core.views.error_403"
handler404 = "anxin.core.views.error_404"
handler500 = "anxin.core.views.error_500"
