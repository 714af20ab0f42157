"""Screening rounds and per-student records (R-SCR-1)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from anxin.core.api import ScopedReadOnlyViewSet
from anxin.org.models import School
from anxin.roster.models import Student
from anxin.screening import filters as f
from anxin.screening import services
from anxin.screening.api._common import (
    MS,
    S,
    ScopedPK,
    ServiceWriteMixin,
)
from anxin.screening.models import (
    Mood,
    Peers,
    Psych,
    ScreeningRecord,
    ScreeningRound,
)

# --- rounds and records -----------------------------------------------------------------------------


class RoundSerializer(MS):
    school_name = serializers.CharField(source="school.name", read_only=True)

    class Meta:
        model = ScreeningRound
        fields = [
            "id",
            "county",
            "school",
            "school_name",
            "county_round",
            "title",
            "opened_on",
            "deadline",
            "status",
            "completed_at",
        ]


class RoundWriteSerializer(S):
    school = ScopedPK(School)
    title = serializers.CharField(max_length=80)
    deadline = serializers.DateField()


class CoverageRowSerializer(S):
    klass = serializers.IntegerField(source="klass.pk")
    klass_name = serializers.CharField(source="klass.__str__")
    total = serializers.IntegerField()
    screened = serializers.IntegerField()
    excused = serializers.IntegerField()
    missing = serializers.IntegerField()
    pct = serializers.IntegerField()


class RoundViewSet(ServiceWriteMixin, ScopedReadOnlyViewSet):
    """Screening rounds (R-SCR-1). POST opens a school's round; ``complete`` closes it at 100%."""

    queryset = ScreeningRound.objects.all()
    serializer_class = RoundSerializer
    create_serializer_class = RoundWriteSerializer
    filterset_class = f.RoundFilter
    select_related = ("school",)

    def perform_service_create(self, data):
        return services.open_round(by=self.request.user, **data)

    # the round's rows, not a paginated, filterable list (the schema said so: found by the fuzzer)
    @extend_schema(responses={200: CoverageRowSerializer(many=True)}, filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def coverage(self, request, pk=None):
        r = self.get_object()
        return Response(CoverageRowSerializer(services.coverage(r)["classes"], many=True).data)

    @extend_schema(request=None, responses={200: RoundSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        r = self.get_object()
        return Response(RoundSerializer(services.complete_round(by=request.user, round=r)).data)

    policy_actions = {"coverage": "view", "complete": "change", "create": "change"}


class RecordSerializer(MS):
    student_name = serializers.CharField(source="student.name", read_only=True)

    class Meta:
        model = ScreeningRecord
        fields = [
            "id",
            "round",
            "student",
            "student_name",
            "klass",
            "psych",
            "mood",
            "peers",
            "family_contacted",
            "signs_seen",
            "note",
            "missing_reason",
            "recorded_by",
            "updated_at",
        ]


class RecordWriteSerializer(S):
    round = ScopedPK(ScreeningRound)
    student = ScopedPK(Student)
    psych = serializers.ChoiceField(choices=Psych.choices, required=False, allow_blank=True)
    mood = serializers.ChoiceField(choices=Mood.choices, required=False, allow_blank=True)
    peers = serializers.ChoiceField(choices=Peers.choices, required=False, allow_blank=True)
    family_contacted = serializers.BooleanField(required=False, default=False)
    signs_seen = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    missing_reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class RecordViewSet(ServiceWriteMixin, ScopedReadOnlyViewSet):
    """Per-student screening records; POST records or corrects one (upsert per round and student)."""

    queryset = ScreeningRecord.objects.all()
    serializer_class = RecordSerializer
    create_serializer_class = RecordWriteSerializer
    select_related = ("student",)
    sensitive_retrieve = True

    def perform_service_create(self, data):
        r, student = data.pop("round"), data.pop("student")
        return services.save_record(by=self.request.user, round=r, student=student, data=data)

    def get_queryset(self):
        qs = super().get_queryset()
        rid = self.request.query_params.get("round")
        return qs.filter(round_id=rid) if rid and rid.isdigit() else qs

    @extend_schema(parameters=[OpenApiParameter("round", int, description="排查轮次编号")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
