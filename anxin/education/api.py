"""REST API of education and training (R-Q-3): the same policy and services as the pages.

- ``education-activities``       — activities (filters as on the page); POST records one;
  ``POST {id}/classes/`` the classes that took part, ``POST {id}/staff/`` staff from the posts,
  ``POST {id}/close/`` ends it, ``POST {id}/checkin/`` checks the caller in with the room token
  of the QR code; ``POST class-meeting/`` a class teacher's 主题班会 for their class in one step;
  ``GET coverage/`` staff trained this school year and classes' 主题班会 this term
- ``education-evaluation``       — the year's record of each member of staff of a school
  (``?school=&year=``) with the 评优评先 gate and its reasons
"""

from __future__ import annotations

from django.core import signing
from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from anxin.core import audit, clock, policy
from anxin.core.api import ScopedReadOnlyViewSet
from anxin.core.editing import ServiceCreateMixin
from anxin.education import checkin as qr
from anxin.education import periods, services
from anxin.education.coverage import class_coverage, needed_by_county, staff_coverage
from anxin.education.evaluation import records
from anxin.education.filters import ActivityFilter
from anxin.education.models import Activity, EligibilityOverride, Kind, Law, StaffLevel
from anxin.education.views.activities import visible
from anxin.screening.views._common import _schools


class ActivitySerializer(serializers.ModelSerializer):
    classes = serializers.SerializerMethodField()
    staff = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = [
            "id",
            "school",
            "kind",
            "title",
            "held_on",
            "laws",
            "staff_level",
            "presenter",
            "presenter_name",
            "presenter_unit",
            "summary",
            "parents_count",
            "status",
            "closed_at",
            "classes",
            "staff",
            "created_at",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_classes(self, obj) -> list[dict]:
        return [{"klass": c.klass_id, "students": c.students} for c in obj.classes.all()]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_staff(self, obj) -> list[dict]:
        return [{"user": s.user_id, "via": s.via} for s in obj.staff.all()]


@extend_schema_field(OpenApiTypes.INT)
class SchoolField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        from anxin.org.models import School

        ids = policy.schools_for(self.context["request"].user, "education.activity.change")
        qs = School.objects.restrict(self.context["request"].user)
        return qs if ids is None else qs.filter(pk__in=ids)


class ActivityCreateSerializer(serializers.Serializer):
    school = SchoolField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    title = serializers.CharField(max_length=120)
    held_on = serializers.DateField()
    laws = serializers.ListField(child=serializers.ChoiceField(choices=Law.choices), required=False)
    staff_level = serializers.ChoiceField(choices=StaffLevel.choices, required=False, allow_blank=True)
    presenter = serializers.IntegerField(required=False, allow_null=True)
    presenter_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    presenter_unit = serializers.CharField(max_length=80, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    parents_count = serializers.IntegerField(min_value=0, required=False)


class ClassEntrySerializer(serializers.Serializer):
    klass = serializers.IntegerField()
    students = serializers.IntegerField(required=False, allow_null=True, min_value=0)


class ClassesSerializer(serializers.Serializer):
    classes = ClassEntrySerializer(many=True)


class StaffSerializer(serializers.Serializer):
    users = serializers.ListField(child=serializers.IntegerField())


class CheckinSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="签到码中的令牌（签到网址 /education/checkin/<令牌>/）")


class ClassMeetingSerializer(serializers.Serializer):
    klass = serializers.IntegerField(help_text="班级编号（班主任只能登记所带班级）")
    held_on = serializers.DateField()
    title = serializers.CharField(max_length=100)
    present = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=200)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ActivityViewSet(ServiceCreateMixin, mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Education and training activities; POST records one at a school."""

    queryset = Activity.objects.all()
    serializer_class = ActivitySerializer
    create_serializer_class = ActivityCreateSerializer
    filterset_class = ActivityFilter
    policy_actions = {"checkin": "checkin", "coverage": "coverage", "class_meeting": "class_meeting"}

    def get_queryset(self):
        qs = visible(self.request.user).prefetch_related("classes", "staff")
        return qs.order_by("-held_on", "-id")

    def get_object(self):
        obj = super().get_object()
        if self.action in ("classes", "staff", "close") and not (
            services.manages(self.request.user, obj.school_id)
            or self.request.user.pk in (obj.presenter_id, obj.created_by_id)
        ):
            raise PermissionDenied()
        return obj

    def perform_service_create(self, data):
        school = data.pop("school")
        if data.get("presenter") is not None:
            from anxin.accounts.models import User

            data["presenter"] = User.objects.filter(pk=data["presenter"]).first()
            if data["presenter"] is None:
                raise ValidationError({"presenter": "主讲人须是本校教职工或本校法治副校长。"})
        return services.create_activity(self.request.user, school, data)

    @extend_schema(request=ClassesSerializer, responses={200: ActivitySerializer})
    @action(detail=True, methods=["post"])
    def classes(self, request, pk=None):
        a = self.get_object()
        ser = ClassesSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.set_classes(
            request.user, a, {c["klass"]: c.get("students") for c in ser.validated_data["classes"]}
        )
        return Response(ActivitySerializer(Activity.objects.get(pk=a.pk)).data)

    @extend_schema(request=StaffSerializer, responses={200: ActivitySerializer})
    @action(detail=True, methods=["post"])
    def staff(self, request, pk=None):
        a = self.get_object()
        ser = StaffSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.set_staff(request.user, a, ser.validated_data["users"])
        return Response(ActivitySerializer(Activity.objects.get(pk=a.pk)).data)

    @extend_schema(request=None, responses={200: ActivitySerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        a = services.close_activity(request.user, self.get_object())
        return Response(ActivitySerializer(a).data)

    @extend_schema(request=ClassMeetingSerializer, responses={201: ActivitySerializer})
    @action(detail=False, methods=["post"], url_path="class-meeting")
    def class_meeting(self, request):
        """A class's 主题班会 in one step (as the page): the class teacher for their own class."""
        ser = ClassMeetingSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        klass = services.meeting_classes(request.user).filter(pk=data.pop("klass")).first()
        if klass is None:
            raise PermissionDenied()
        a = services.record_class_meeting(request.user, klass, data)
        return Response(ActivitySerializer(Activity.objects.get(pk=a.pk)).data, status=201)

    @extend_schema(request=CheckinSerializer, responses={200: ActivitySerializer})
    @action(detail=True, methods=["post"])
    def checkin(self, request, pk=None):
        """Check the caller in (only the caller) with the room token of the activity's QR code."""
        a = self.get_object()
        ser = CheckinSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        try:
            ok = qr.read_room(ser.validated_data["token"]) == a.pk
        except signing.BadSignature:
            ok = False
        if not ok:
            raise ValidationError({"token": "签到码无效或已过期，请重新扫描现场的二维码。"})
        services.check_in(request.user, a)
        return Response(ActivitySerializer(Activity.objects.get(pk=a.pk)).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("school", OpenApiTypes.INT, description="学校编号；不填为可见的全部学校")
        ],
        responses={200: serializers.ListSerializer(child=serializers.DictField())},
        filters=False,
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def coverage(self, request):
        """Per school: staff trained this school year (by post) and classes' 主题班会 this term."""
        schools = list(_schools(request, "education.activity.coverage"))
        raw = request.query_params.get("school")
        if raw:
            schools = [s for s in schools if str(s.pk) == raw]
            if not schools:
                raise NotFound()
        today = clock.today()
        y0, y1 = periods.year_span(periods.year_of(today))
        t0, t1 = periods.term_start(today), periods.term_end(today)
        staff = staff_coverage(schools, y0, y1, names=False)
        classes = class_coverage(schools, t0, t1, needed_by_county({s.county_id for s in schools}))
        return Response(
            [
                {
                    "school": s.pk,
                    "school_name": s.name,
                    "staff_total": staff[s.pk].total,
                    "staff_trained": staff[s.pk].trained,
                    "posts": [
                        {"role": p.role, "total": p.total, "trained": p.trained} for p in staff[s.pk].posts
                    ],
                    "meetings_needed": classes[s.pk].needed,
                    "classes": [{"klass": r.klass.pk, "held": r.held} for r in classes[s.pk].rows],
                }
                for s in schools
            ]
        )


class EvaluationViewSet(viewsets.ViewSet):
    """The year's anti-bullying record of each member of staff of one school (考评)."""

    policy_model = EligibilityOverride

    @extend_schema(
        parameters=[
            OpenApiParameter("school", OpenApiTypes.INT, required=True),
            OpenApiParameter("year", OpenApiTypes.INT, description="学年开始的年份；不填为本学年"),
        ],
        responses={200: serializers.ListSerializer(child=serializers.DictField())},
    )
    def list(self, request):
        from anxin.org.models import School

        raw = request.query_params.get("school") or ""
        school = School.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        if school is None or not policy.allows(
            request.user, EligibilityOverride(county_id=school.county_id, school_id=school.pk), "view"
        ):
            raise NotFound()
        current = periods.year_of(clock.today())
        y = request.query_params.get("year") or ""
        year = int(y) if y.isdigit() and current - 5 <= int(y) <= current else current
        audit.append(
            "read", object_type="education.evaluation", school_id=school.pk, data={"year": year, "via": "api"}
        )
        out = []
        for r in records(school, year).values():
            out.append(
                {
                    "user": r.user.pk,
                    "name": r.name,
                    "posts": r.posts,
                    "trainings": r.trainings,
                    "activities": r.activities,
                    "presented": r.presented,
                    "lessons": {"assigned": r.lessons_assigned, "studied": r.lessons_studied},
                    "tasks": {"on_time": r.tasks_on_time, "late": r.tasks_late, "open": r.tasks_open},
                    "investigations": {"on_time": r.investigations_on_time, "late": r.investigations_late},
                    "cases_handled": r.cases_handled,
                    "contacts": r.contacts,
                    "eligible": r.eligible,
                    "lapses": [{"code": lp.code, "text": lp.text} for lp in r.lapses],
                    "override": {"reason": r.override.reason, "by": r.override.decided_by_id}
                    if r.override
                    else None,
                }
            )
        return Response(out)


def register(router) -> None:
    router.register("education-activities", ActivityViewSet, basename="education-activity")
    router.register("education-evaluation", EvaluationViewSet, basename="education-evaluation")
