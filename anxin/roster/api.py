"""REST API of this app (R-Q-3): viewsets on core.api bases, same policy as the pages.

Read only. No serializer carries the ID number, health or disability data (they are read,
audited, on the student's page only); the list carries what roster.student.view allows (name
and class), a single student what roster.student.detail allows.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from anxin.core import audit, policy
from anxin.core.api import PlainRows, ScopedReadOnlyViewSet
from anxin.roster import services
from anxin.roster.filters import GuardianFilter, RosterImportFilter, StudentFilter
from anxin.roster.models import Guardian, RosterImport, Student


class StudentListSerializer(PlainRows, serializers.ModelSerializer):
    # 学籍号 carries the ID number: the API shows it masked like the lists (FORMATS.md)
    student_no = serializers.CharField(source="student_no_masked", read_only=True)
    klass_name = serializers.SerializerMethodField()
    school_name = serializers.CharField(source="school.name", read_only=True)

    class Meta:
        model = Student
        fields = ["id", "student_no", "name", "sex", "school", "school_name", "klass", "klass_name", "status"]

    @extend_schema_field(serializers.CharField())
    def get_klass_name(self, obj: Student) -> str:
        return f"{obj.klass.grade.name}{obj.klass.name}"


class StudentDetailSerializer(StudentListSerializer):
    class Meta(StudentListSerializer.Meta):
        fields = [
            *StudentListSerializer.Meta.fields,
            "birth_date",
            "ethnicity",
            "id_type",
            "attendance",
            "enrolled_month",
            "left_behind",
            "migrant",
            "orphan",
            "only_child",
            "needs_aid",
            "address",
            "phone",
            "created_at",
            "updated_at",
        ]


class StudentViewSet(ScopedReadOnlyViewSet):
    """Students in the caller's scope (a class teacher: their class). Everyone who may see a
    student gets name and class; holders of roster.student.detail get the record."""

    queryset = Student.objects.all()
    filterset_class = StudentFilter
    serializer_class = StudentListSerializer
    select_related = ("school", "klass__grade")
    defer_unshown_secrets = True  # the list: no ID number or health data decrypted
    sensitive_retrieve = True  # a minor's record: every read is audited, like the page (LAW 18)

    @extend_schema(responses=StudentDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        student = self.get_object()
        detail = policy.allows(request.user, student, "detail")
        serializer = (StudentDetailSerializer if detail else StudentListSerializer)(student)
        if self.sensitive_retrieve:
            audit.record("read", student, data={"via": "api", "detail": detail})
        return Response(serializer.data)


class GuardianSerializer(serializers.ModelSerializer):
    class Meta:
        model = Guardian
        fields = [
            "id",
            "student",
            "position",
            "name",
            "relation",
            "phone",
            "is_guardian",
            "lives_with",
            "employer",
        ]


class GuardianViewSet(ScopedReadOnlyViewSet):
    """Family members and guardians: roster.student.detail, in the same scope as students."""

    queryset = Guardian.objects.all()
    serializer_class = GuardianSerializer
    filterset_class = GuardianFilter
    policy_actions = {"list": "detail", "retrieve": "detail"}
    sensitive_retrieve = True  # families' names and phones: reads are audited

    def list(self, request, *args, **kwargs):
        """One audited read per request (not per row), naming the rows returned by id."""
        response = super().list(request, *args, **kwargs)
        data = response.data
        rows = data.get("results", []) if isinstance(data, dict) else data
        audit.append(
            "read",
            object_type=Guardian._meta.label_lower,
            data={"via": "api", "ids": [r["id"] for r in rows]},
        )
        return response


class RosterImportSerializer(serializers.ModelSerializer):
    result = serializers.SerializerMethodField()

    class Meta:
        model = RosterImport
        fields = [
            "id",
            "school",
            "kind",
            "filename",
            "sha256",
            "status",
            "create_classes",
            "only_valid",
            "total_rows",
            "valid_rows",
            "errors",
            "warnings",
            "result",
            "uploaded_by",
            "created_at",
            "finished_at",
        ]

    @extend_schema_field(serializers.DictField())
    def get_result(self, obj: RosterImport) -> dict:
        return {k: v for k, v in (obj.result or {}).items() if k != "secret"}  # never the initial passwords


class RosterImportViewSet(ScopedReadOnlyViewSet):
    """Roster imports and their reports, for holders of roster.student.import (staff imports
    are listed too where the caller also holds roster.staff.import)."""

    queryset = RosterImport.objects.all()
    serializer_class = RosterImportSerializer
    filterset_class = RosterImportFilter
    policy_actions = {"list": "import", "retrieve": "import"}

    def get_queryset(self):
        return services.visible_imports(self.request.user).order_by("-created_at", "-id")


def register(router) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    router.register("students", StudentViewSet, basename="student")
    router.register("guardians", GuardianViewSet, basename="guardian")
    router.register("imports", RosterImportViewSet, basename="rosterimport")
