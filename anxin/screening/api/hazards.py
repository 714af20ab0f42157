"""Hazard points and measures (R-SCR-5), monitoring zones and cameras."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from anxin.core.api import ScopedReadOnlyViewSet
from anxin.org.models import School
from anxin.screening import filters as f
from anxin.screening import services
from anxin.screening.api._common import (
    MS,
    S,
    ScopedPK,
    ServiceUpdateMixin,
    ServiceWriteMixin,
    StaffPK,
)
from anxin.screening.models import (
    Camera,
    HazardMeasure,
    HazardPoint,
    MeasureType,
    MonitoringZone,
)

# --- hazards and monitoring -------------------------------------------------------------------------------


class MeasureSerializer(MS):
    class Meta:
        model = HazardMeasure
        fields = ["id", "hazard", "type", "description", "owner", "due_date", "done_on"]


class HazardSerializer(MS):
    measures = MeasureSerializer(many=True, read_only=True)
    cameras = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = HazardPoint
        fields = [
            "id",
            "county",
            "school",
            "name",
            "location",
            "kind",
            "time_windows",
            "risk",
            "description",
            "found_on",
            "owner",
            "due_date",
            "status",
            "listed_for_reporters",
            "measures",
            "cameras",
        ]


class HazardWriteSerializer(MS):
    school = ScopedPK(School)
    owner = StaffPK(required=False, allow_null=True)

    class Meta:
        model = HazardPoint
        fields = [
            "school",
            "name",
            "location",
            "kind",
            "time_windows",
            "risk",
            "description",
            "found_on",
            "owner",
            "due_date",
            "status",
            "listed_for_reporters",
        ]


class MeasureWriteSerializer(S):
    hazard = ScopedPK(HazardPoint)
    type = serializers.ChoiceField(choices=MeasureType.choices)
    description = serializers.CharField(max_length=300)
    owner = StaffPK(required=False, allow_null=True)
    due_date = serializers.DateField(required=False, allow_null=True)


class HazardViewSet(ServiceWriteMixin, ServiceUpdateMixin, ScopedReadOnlyViewSet):
    """隐患点台账 (R-SCR-5) with measures and cameras."""

    queryset = HazardPoint.objects.all()
    serializer_class = HazardSerializer
    create_serializer_class = HazardWriteSerializer
    filterset_class = f.HazardFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    policy_actions = {"create": "change", "partial_update": "change"}

    def get_queryset(self):
        return super().get_queryset().prefetch_related("measures", "cameras")

    def perform_service_create(self, data):
        school = data.pop("school")
        return services.save_hazard(by=self.request.user, school=school, data=data)

    def service_update(self, obj, data):
        data.pop("school", None)
        return services.save_hazard(by=self.request.user, school=obj.school, data=data, hazard=obj)


class MeasureViewSet(ServiceWriteMixin, ScopedReadOnlyViewSet):
    """Measures of a hazard point (人防/物防/技防); ``done`` records one as carried out."""

    queryset = HazardMeasure.objects.all()
    serializer_class = MeasureSerializer
    create_serializer_class = MeasureWriteSerializer
    policy_actions = {"create": "change", "done": "change"}

    def perform_service_create(self, data):
        return services.add_measure(by=self.request.user, **data)

    @extend_schema(request=None, responses={200: MeasureSerializer})
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        return Response(
            MeasureSerializer(services.complete_measure(by=request.user, measure=self.get_object())).data
        )


class ZoneSerializer(MS):
    class Meta:
        model = MonitoringZone
        fields = ["id", "school", "name", "description"]


class ZoneWriteSerializer(S):
    school = ScopedPK(School)
    name = serializers.CharField(max_length=60)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ZoneViewSet(ServiceWriteMixin, ScopedReadOnlyViewSet):
    """监控区域."""

    queryset = MonitoringZone.objects.all()
    serializer_class = ZoneSerializer
    create_serializer_class = ZoneWriteSerializer
    policy_actions = {"create": "change"}

    def perform_service_create(self, data):
        return services.add_zone(by=self.request.user, **data)


class CameraSerializer(MS):
    class Meta:
        model = Camera
        fields = ["id", "school", "name", "zone", "location", "working", "covers"]


class CameraWriteSerializer(S):
    school = ScopedPK(School)
    name = serializers.CharField(max_length=60)
    zone = ScopedPK(MonitoringZone, required=False, allow_null=True)
    location = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    working = serializers.BooleanField(required=False, default=True)
    covers = ScopedPK(HazardPoint, many=True, required=False)


class CameraViewSet(ServiceWriteMixin, ScopedReadOnlyViewSet):
    """摄像头 and the hazard points each one covers."""

    queryset = Camera.objects.all()
    serializer_class = CameraSerializer
    create_serializer_class = CameraWriteSerializer
    filterset_class = f.CameraFilter
    policy_actions = {"create": "change"}

    def get_queryset(self):
        return super().get_queryset().prefetch_related("covers")

    def perform_service_create(self, data):
        school = data.pop("school")
        return services.save_camera(by=self.request.user, school=school, data=data)
