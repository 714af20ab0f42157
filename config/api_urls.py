from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerView
from rest_framework import routers
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

from anxin.accounts import api as accounts_api
from anxin.campaigns import api as campaigns_api
from anxin.care import api as care_api
from anxin.cases import api as cases_api
from anxin.core import api as core_api
from anxin.dashboards import api as dashboards_api
from anxin.education import api as education_api
from anxin.governance import api as governance_api
from anxin.intake import api as intake_api
from anxin.org import api as org_api
from anxin.oversight import api as oversight_api
from anxin.roster import api as roster_api
from anxin.screening import api as screening_api
from anxin.supervision import api as supervision_api


class APIRootView(routers.APIRootView):
    """The API root lists the resources to any signed-in user; each resource applies the policy."""

    permission_classes = [IsAuthenticated]


class AnxinRouter(DefaultRouter):
    APIRootView = APIRootView


router = AnxinRouter()
for module in (
    core_api,
    org_api,
    roster_api,
    accounts_api,
    intake_api,
    cases_api,
    screening_api,
    care_api,
    campaigns_api,
    governance_api,
    oversight_api,
    education_api,
    supervision_api,
):
    module.register(router)

urlpatterns = [
    # the .json address serves JSON whatever the Accept header asks (YAML was the default)
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("dashboards/region/", dashboards_api.RegionOverviewAPI.as_view(), name="api-dashboards-region"),
    path(
        "dashboards/region/<int:pk>/",
        dashboards_api.CityOverviewAPI.as_view(),
        name="api-dashboards-region-child",
    ),
    path("dashboards/county/", dashboards_api.CountyDashboardAPI.as_view(), name="api-dashboards-county"),
    path(
        "dashboards/school/<int:pk>/",
        dashboards_api.SchoolDashboardAPI.as_view(),
        name="api-dashboards-school",
    ),
    path("", include(router.urls)),
]
