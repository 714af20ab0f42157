"""Risk levels and their history (R-SCR-4), and the bureau's de-identified counts (no names)."""

from __future__ import annotations

from django.db.models import F
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from anxin.core import policy
from anxin.core.api import ScopedReadOnlyViewSet
from anxin.org.models import School
from anxin.screening import filters as f
from anxin.screening import services
from anxin.screening.api._common import (
    MS,
    S,
)
from anxin.screening.models import (
    RiskAssessment,
    RiskState,
    VulnerabilityCategory,
)

# --- risk ----------------------------------------------------------------------------------------------


class ReasonSerializer(S):
    code = serializers.CharField()
    text = serializers.CharField()
    points = serializers.IntegerField()
    level = serializers.CharField(allow_blank=True)


class RiskStateSerializer(MS):
    student_name = serializers.CharField(source="student.name", read_only=True)
    reasons = ReasonSerializer(many=True, read_only=True)

    class Meta:
        model = RiskState
        fields = ["id", "school", "student", "student_name", "level", "points", "reasons", "changed_at"]


class RiskAssessmentSerializer(MS):
    reasons = ReasonSerializer(many=True, read_only=True)

    class Meta:
        model = RiskAssessment
        fields = ["id", "school", "student", "level", "previous_level", "points", "reasons", "at"]


class RiskStateViewSet(ScopedReadOnlyViewSet):
    """Students' current levels (红/橙/黄/绿) with every reason."""

    queryset = RiskState.objects.all()
    serializer_class = RiskStateSerializer
    filterset_class = f.RiskFilter
    select_related = ("student",)


class RiskAssessmentViewSet(ScopedReadOnlyViewSet):
    """History: one row per change of level or reasons."""

    queryset = RiskAssessment.objects.all()
    serializer_class = RiskAssessmentSerializer
    filterset_class = f.AssessmentFilter

    def get_queryset(self):
        qs = super().get_queryset()
        sid = self.request.query_params.get("student")
        qs = qs.filter(student_id=sid) if sid and sid.isdigit() else qs
        if self.request.query_params.get("changed_level") == "true":
            qs = qs.exclude(level=F("previous_level"))
        return qs.order_by("-at", "-id")

    @extend_schema(
        parameters=[
            OpenApiParameter("student", int, description="学生编号"),
            OpenApiParameter("changed_level", bool, description="只看等级变化"),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class CountsViewSet(viewsets.ViewSet):
    """De-identified figures per school (no names): the bureau's and supervisors' view."""

    policy_perm = "screening.counts.view"

    @extend_schema(
        responses={
            200: inline_serializer(
                "ScreeningSchoolCounts",
                many=True,
                fields={
                    "school": serializers.IntegerField(),
                    "school_name": serializers.CharField(),
                    "students": serializers.IntegerField(),
                    "vulnerable": serializers.IntegerField(),
                    "by_category": serializers.DictField(child=serializers.IntegerField()),
                    "tendency": serializers.IntegerField(),
                    "levels": serializers.DictField(child=serializers.IntegerField()),
                    "hazards_open": serializers.IntegerField(),
                    "rectifications_open": serializers.IntegerField(),
                },
            )
        }
    )
    def list(self, request):
        schools = School.objects.restrict(request.user).order_by("town", "name")
        ids = policy.schools_for(request.user, self.policy_perm)
        if ids is not None:
            schools = schools.filter(pk__in=ids)
        schools = list(schools.values_list("pk", "name"))
        data = services.counts_by_school([pk for pk, _n in schools])
        cats = dict(
            VulnerabilityCategory.objects.filter(county_id=request.user.county_id).values_list("pk", "code")
        )
        return Response(
            [
                {
                    "school": pk,
                    "school_name": name,
                    **{k: v for k, v in data[pk].items() if k != "by_category"},
                    "by_category": {cats.get(c, str(c)): n for c, n in data[pk]["by_category"].items()},
                }
                for pk, name in schools
            ]
        )
