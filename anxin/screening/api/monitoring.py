"""Monitoring on duty (R-SCR-6): the duty roster and the duty logs."""

from __future__ import annotations

from rest_framework import serializers

from anxin.core.api import ScopedReadOnlyViewSet
from anxin.org.models import School
from anxin.screening import filters as f
from anxin.screening import services
from anxin.screening.api._common import (
    MS,
    S,
    ScopedPK,
    ServiceWriteMixin,
    StaffPK,
)
from anxin.screening.models import (
    DutyLog,
    DutyShift,
    KeyPeriod,
    MonitoringZone,
)


class ShiftSerializer(MS):
    class Meta:
        model = DutyShift
        fields = [
            "id",
            "school",
            "period",
            "weekdays",
            "start_time",
            "end_time",
            "zone",
            "person",
            "note",
            "active",
        ]


class ShiftWriteSerializer(S):
    school = ScopedPK(School)
    period = serializers.ChoiceField(choices=KeyPeriod.choices)
    weekdays = serializers.CharField(max_length=7)
    start_time = serializers.TimeField()
    end_time = serializers.TimeField()
    zone = ScopedPK(MonitoringZone, required=False, allow_null=True)
    person = StaffPK()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ShiftViewSet(ServiceWriteMixin, ScopedReadOnlyViewSet):
    """重点时段值守排班."""

    queryset = DutyShift.objects.all()
    serializer_class = ShiftSerializer
    create_serializer_class = ShiftWriteSerializer
    filterset_class = f.ShiftFilter
    policy_actions = {"create": "change"}

    def perform_service_create(self, data):
        school = data.pop("school")
        return services.save_shift(by=self.request.user, school=school, data=data)


class DutyLogSerializer(MS):
    class Meta:
        model = DutyLog
        fields = [
            "id",
            "school",
            "shift",
            "zone",
            "at",
            "logged_by",
            "summary",
            "place",
            "is_sign",
            "concern_id",
        ]


class DutyLogWriteSerializer(S):
    school = ScopedPK(School)
    summary = serializers.CharField(max_length=1000)
    is_sign = serializers.BooleanField(required=False, default=False)
    place = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    zone = ScopedPK(MonitoringZone, required=False, allow_null=True)
    shift = ScopedPK(DutyShift, required=False, allow_null=True)


class DutyLogViewSet(ServiceWriteMixin, ScopedReadOnlyViewSet):
    """值守记录; an entry with ``is_sign`` becomes a concern for triage."""

    queryset = DutyLog.objects.all()
    serializer_class = DutyLogSerializer
    create_serializer_class = DutyLogWriteSerializer
    filterset_class = f.DutyLogFilter
    policy_actions = {"create": "change"}

    def perform_service_create(self, data):
        school = data.pop("school")
        return services.log_duty(by=self.request.user, school=school, **data)

    def get_queryset(self):
        return super().get_queryset().order_by("-at", "-id")
