"""The reporting channels' URLs under /api/v1/."""

from __future__ import annotations

from .public import (
    PublicDeviceViewSet,
    PublicEmergencyViewSet,
    PublicFollowUpViewSet,
    PublicPlaceViewSet,
    PublicReportViewSet,
)
from .staff import ConcernViewSet, CountyInboxViewSet, EmergencyViewSet, ReportViewSet


def register(router) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    router.register("intake/reports", ReportViewSet, basename="intake-report")
    router.register("intake/county-inbox", CountyInboxViewSet, basename="intake-county-inbox")
    router.register("intake/concerns", ConcernViewSet, basename="intake-concern")
    router.register("intake/emergencies", EmergencyViewSet, basename="intake-emergency")
    router.register("public/reports", PublicReportViewSet, basename="public-report")
    router.register("public/followup", PublicFollowUpViewSet, basename="public-followup")
    router.register("public/emergencies", PublicEmergencyViewSet, basename="public-emergency")
    router.register("public/places", PublicPlaceViewSet, basename="public-place")
    router.register("public/device", PublicDeviceViewSet, basename="public-device")
