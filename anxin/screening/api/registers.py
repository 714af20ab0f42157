"""Registers (R-SCR-2, R-SCR-3): vulnerability categories and entries, the bullying-tendency
register and its reviews."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from anxin.core.api import ScopedReadOnlyViewSet
from anxin.roster.models import Student
from anxin.screening import case_links, services
from anxin.screening import filters as f
from anxin.screening.api._common import (
    MS,
    S,
    ScopedPK,
    ServiceWriteMixin,
)
from anxin.screening.models import (
    TendencyEntry,
    TendencyReview,
    VulnerabilityCategory,
    VulnerabilityEntry,
)

# --- registers -----------------------------------------------------------------------------------------


class CategorySerializer(MS):
    class Meta:
        model = VulnerabilityCategory
        fields = ["id", "county", "code", "name", "builtin", "roster_flag", "active", "position"]


class CategoryViewSet(ScopedReadOnlyViewSet):
    queryset = VulnerabilityCategory.objects.all()
    serializer_class = CategorySerializer


class VulnerabilitySerializer(MS):
    student_name = serializers.CharField(source="student.name", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)

    class Meta:
        model = VulnerabilityEntry
        fields = [
            "id",
            "school",
            "student",
            "student_name",
            "category",
            "category_name",
            "source",
            "note",
            "started_on",
            "ended_on",
            "end_reason",
        ]


class VulnerabilityWriteSerializer(S):
    student = ScopedPK(Student)
    category = ScopedPK(VulnerabilityCategory)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class EndSerializer(S):
    end_reason = serializers.CharField(max_length=200)


class VulnerabilityViewSet(ServiceWriteMixin, ScopedReadOnlyViewSet):
    """弱势学生台账 (R-SCR-2)."""

    queryset = VulnerabilityEntry.objects.all()
    serializer_class = VulnerabilitySerializer
    create_serializer_class = VulnerabilityWriteSerializer
    filterset_class = f.VulnerabilityFilter
    select_related = ("student", "category")
    policy_actions = {"create": "change", "end": "change"}

    def perform_service_create(self, data):
        return services.add_vulnerability(by=self.request.user, **data)

    @extend_schema(request=EndSerializer, responses={200: VulnerabilitySerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        e = self.get_object()
        ser = EndSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        e = services.end_vulnerability(by=request.user, entry=e, reason=ser.validated_data["end_reason"])
        return Response(VulnerabilitySerializer(e).data)


class TendencySerializer(MS):
    student_name = serializers.CharField(source="student.name", read_only=True)
    case_ids = serializers.SerializerMethodField(help_text="来源事件中本人可查看的事件编号（已封存的不列出）")

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_case_ids(self, obj) -> list[int]:
        request = self.context.get("request")
        if not obj.case_ids or request is None:
            return []
        if "_visible_case_ids" not in self.context:  # one query for the whole page
            page = getattr(self.parent, "instance", None) if self.parent is not None else None
            entries = list(page) if page is not None and not isinstance(page, TendencyEntry) else [obj]
            ids = {i for e in entries for i in (e.case_ids or [])}
            self.context["_visible_case_ids"] = {c.pk for c in case_links.visible_cases(request.user, ids)}
        return [i for i in obj.case_ids if i in self.context["_visible_case_ids"]]

    class Meta:
        model = TendencyEntry
        fields = [
            "id",
            "school",
            "student",
            "student_name",
            "grounds",
            "source",
            "case_ids",
            "added_on",
            "review_due",
            "last_reviewed_on",
            "status",
            "closed_on",
            "closed_reason",
        ]


class TendencyWriteSerializer(S):
    student = ScopedPK(Student)
    grounds = serializers.CharField(max_length=2000)
    review_due = serializers.DateField(required=False, allow_null=True)


class ReviewSerializer(S):
    outcome = serializers.ChoiceField(choices=TendencyReview.Outcome.choices)
    note = serializers.CharField(max_length=1000)
    next_review = serializers.DateField(required=False, allow_null=True)


class TendencyViewSet(ServiceWriteMixin, ScopedReadOnlyViewSet):
    """欺凌倾向台账 (R-SCR-3); ``review`` records a periodic review."""

    queryset = TendencyEntry.objects.all()
    serializer_class = TendencySerializer
    create_serializer_class = TendencyWriteSerializer
    filterset_class = f.TendencyFilter
    select_related = ("student",)
    sensitive_retrieve = True
    policy_actions = {"create": "change", "review": "change"}

    def perform_service_create(self, data):
        return services.add_tendency(by=self.request.user, **data)

    @extend_schema(request=ReviewSerializer, responses={200: TendencySerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        e = self.get_object()
        ser = ReviewSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.review_tendency(by=request.user, entry=e, **ser.validated_data)
        e.refresh_from_db()
        return Response(TendencySerializer(e).data)
