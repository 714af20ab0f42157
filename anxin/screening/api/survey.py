"""Class peer-relationship surveys and their answers."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from anxin.core import audit
from anxin.core.api import ScopedReadOnlyViewSet
from anxin.org.models import SchoolClass
from anxin.screening import filters as f
from anxin.screening import services
from anxin.screening.api._common import (
    MS,
    S,
    ScopedPK,
    ServiceWriteMixin,
)
from anxin.screening.models import (
    PeerSurvey,
    ScreeningRound,
    SurveyResponse,
)

# --- survey --------------------------------------------------------------------------------------------


class SurveySerializer(MS):
    class Meta:
        model = PeerSurvey
        fields = [
            "id",
            "county",
            "school",
            "klass",
            "round",
            "title",
            "class_code",
            "opens_on",
            "closes_on",
            "status",
        ]


class SurveyResponseSerializer(MS):
    student_name = serializers.CharField(source="student.name", read_only=True)
    friends = serializers.SerializerMethodField()
    isolated = serializers.SerializerMethodField()

    class Meta:
        model = SurveyResponse
        fields = [
            "id",
            "survey",
            "student",
            "student_name",
            "victim",
            "witnessed",
            "places",
            "times",
            "feels_safe",
            "wants_help",
            "note",
            "friends",
            "isolated",
            "created_at",
        ]

    def _noms(self, obj, kind) -> list[int]:
        return [n.nominee_id for n in obj.nominations.all() if n.kind == kind]

    def get_friends(self, obj) -> list[int]:
        return self._noms(obj, "friend")

    def get_isolated(self, obj) -> list[int]:
        return self._noms(obj, "isolated")


class SurveyWriteSerializer(S):
    klass = ScopedPK(SchoolClass)
    closes_on = serializers.DateField()
    round = ScopedPK(ScreeningRound, required=False, allow_null=True)
    title = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")


class SurveyViewSet(ServiceWriteMixin, ScopedReadOnlyViewSet):
    """Class peer-relationship surveys (results: class teacher, counsellor, safety leader).
    POST opens one and issues the personal codes; ``close`` ends it."""

    queryset = PeerSurvey.objects.all()
    serializer_class = SurveySerializer
    create_serializer_class = SurveyWriteSerializer
    filterset_class = f.SurveyFilter
    policy_actions = {"create": "change", "close": "change"}

    def perform_service_create(self, data):
        return services.create_survey(by=self.request.user, **data)

    @extend_schema(request=None, responses={200: SurveySerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return Response(
            SurveySerializer(services.close_survey(by=request.user, survey=self.get_object())).data
        )


class SurveyResponseViewSet(ScopedReadOnlyViewSet):
    """Survey answers with nominations; every read is audited."""

    queryset = SurveyResponse.objects.all()
    serializer_class = SurveyResponseSerializer
    sensitive_retrieve = True
    select_related = ("student",)

    def get_queryset(self):
        qs = super().get_queryset().prefetch_related("nominations")
        sid = self.request.query_params.get("survey")
        return qs.filter(survey_id=sid) if sid and sid.isdigit() else qs

    @extend_schema(parameters=[OpenApiParameter("survey", int, description="问卷编号")])
    def list(self, request, *args, **kwargs):
        audit.append("read", object_type="screening.surveyresponse", data={"via": "api", "list": True})
        return super().list(request, *args, **kwargs)
