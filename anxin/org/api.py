"""REST API of this app (R-Q-3): viewsets on core.api bases, same policy as the pages.
Read-only; changes go through the pages (and org.services)."""

from __future__ import annotations

from rest_framework import serializers

from anxin.core.api import ScopedReadOnlyViewSet
from anxin.org.filters import (
    ClassFilter,
    GradeFilter,
    ResponsibilityFilter,
    SafetyOfficerFilter,
    SchoolFilter,
)
from anxin.org.models import Grade, Responsibility, SafetyOfficer, School, SchoolClass


class SchoolSerializer(serializers.ModelSerializer):
    type_display = serializers.CharField(source="get_type_display", read_only=True)

    class Meta:
        model = School
        fields = [
            "id",
            "county",
            "name",
            "short_name",
            "code",
            "type",
            "type_display",
            "boarding",
            "town",
            "address",
            "antibullying_phone",
            "antibullying_email",
            "safety_leader_phone",
            "legal_vp_phone",
            "public_code",
            "active",
        ]


class GradeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Grade
        fields = ["id", "county", "school", "name", "stage", "year"]


class SchoolClassSerializer(serializers.ModelSerializer):
    grade_name = serializers.CharField(source="grade.name", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)

    class Meta:
        model = SchoolClass
        fields = ["id", "county", "school", "school_name", "grade", "grade_name", "name", "active"]


class ResponsibilitySerializer(serializers.ModelSerializer):
    duty_display = serializers.CharField(source="get_duty_display", read_only=True)
    person_name = serializers.CharField(source="person.real_name", read_only=True)
    person_phone = serializers.CharField(source="person.phone", read_only=True, allow_null=True)

    class Meta:
        model = Responsibility
        fields = [
            "id",
            "county",
            "school",
            "duty",
            "duty_display",
            "detail",
            "person",
            "person_name",
            "person_phone",
            "post",
            "klass",
            "updated_at",
        ]


class SafetyOfficerSerializer(serializers.ModelSerializer):
    student_name = serializers.CharField(source="student.name", read_only=True)

    class Meta:
        model = SafetyOfficer
        fields = [
            "id",
            "county",
            "school",
            "klass",
            "student",
            "student_name",
            "appointed_on",
            "ended_on",
            "duties",
        ]


class SchoolViewSet(ScopedReadOnlyViewSet):
    """Schools in the caller's scope (county roles: their county; others: their school)."""

    queryset = School.objects.all()
    serializer_class = SchoolSerializer
    filterset_class = SchoolFilter


class GradeViewSet(ScopedReadOnlyViewSet):
    queryset = Grade.objects.all()
    serializer_class = GradeSerializer
    filterset_class = GradeFilter


class SchoolClassViewSet(ScopedReadOnlyViewSet):
    """Classes in scope (a class teacher: their own class only)."""

    queryset = SchoolClass.objects.all()
    serializer_class = SchoolClassSerializer
    filterset_class = ClassFilter
    select_related = ("school", "grade")


class ResponsibilityViewSet(ScopedReadOnlyViewSet):
    """Lines of the responsibility matrix (明确到人、到岗)."""

    queryset = Responsibility.objects.all()
    serializer_class = ResponsibilitySerializer
    filterset_class = ResponsibilityFilter
    select_related = ("person",)


class SafetyOfficerViewSet(ScopedReadOnlyViewSet):
    """学生安全员 of the classes in scope."""

    queryset = SafetyOfficer.objects.all()
    serializer_class = SafetyOfficerSerializer
    filterset_class = SafetyOfficerFilter
    select_related = ("student",)


def register(router) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    router.register("schools", SchoolViewSet, basename="school")
    router.register("grades", GradeViewSet, basename="grade")
    router.register("classes", SchoolClassViewSet, basename="class")
    router.register("responsibilities", ResponsibilityViewSet, basename="responsibility")
    router.register("safety-officers", SafetyOfficerViewSet, basename="safety-officer")
