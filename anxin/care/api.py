"""REST API of this app (R-Q-3): viewsets on core.api bases, same policy as the pages, writes
through the same services. Counselling notes appear only for the roles allowed to read them
(a field present only then), and each such read is audited."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.response import Response

from anxin.care import services
from anxin.care.cadence import Level
from anxin.care.filters import CarePlanApiFilter, ContactLogApiFilter, SessionApiFilter, TaskApiFilter
from anxin.care.models import CarePlan, ContactLog, CounsellingSession, InterventionTask, Measure
from anxin.core.api import PlainRows, ScopedReadOnlyViewSet
from anxin.core.editing import ServiceCreateMixin


@extend_schema_field(OpenApiTypes.INT)
class ScopedStudentField(serializers.PrimaryKeyRelatedField):
    """A student id the caller may see (anything else reads as "does not exist")."""

    def get_queryset(self):
        from anxin.roster.models import Student

        return Student.objects.restrict(self.context["request"].user, "view").select_related("klass__grade")

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError:
            from anxin.roster import lookup

            lookup.audit_denied(data, "care")  # an id outside the scope: not found, audited
            raise


@extend_schema_field(OpenApiTypes.INT)
class ScopedPlanField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return CarePlan.objects.restrict(self.context["request"].user, "view").select_related(
            "student__klass"
        )


@extend_schema_field(OpenApiTypes.INT)
class StaffField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        from anxin.accounts.models import User

        return User.objects.filter(is_active=True)


# --- read serializers ----------------------------------------------------------------------------


class CarePlanSerializer(PlainRows, serializers.ModelSerializer):
    student_name = serializers.CharField(source="student.name", read_only=True)
    klass = serializers.IntegerField(source="student.klass_id", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    owner_name = serializers.CharField(source="owner.real_name", read_only=True)
    cadence = serializers.IntegerField(read_only=True, allow_null=True, help_text="联系间隔天数（生效值）")
    overdue_days = serializers.SerializerMethodField()

    class Meta:
        model = CarePlan
        fields = [
            "id",
            "county",
            "school",
            "student",
            "student_name",
            "klass",
            "kind",
            "kind_display",
            "level",
            "level_display",
            "measures",
            "reason",
            "owner",
            "owner_name",
            "cadence_days",
            "cadence",
            "starts_on",
            "ends_on",
            "status",
            "status_display",
            "closed_on",
            "close_note",
            "last_contact_at",
            "next_due_on",
            "overdue_days",
        ]

    def get_overdue_days(self, obj) -> int:
        return obj.overdue_days()


class ContactLogSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    staff_name = serializers.CharField(source="staff.real_name", read_only=True)

    class Meta:
        model = ContactLog
        fields = [
            "id",
            "school",
            "plan",
            "student",
            "kind",
            "kind_display",
            "staff",
            "staff_name",
            "occurred_at",
            "participants",
            "summary",
            "next_step",
            "anomaly",
            "anomaly_note",
            "session",
        ]


class TaskSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    owner_name = serializers.CharField(source="owner.real_name", read_only=True)

    class Meta:
        model = InterventionTask
        fields = [
            "id",
            "school",
            "student",
            "plan",
            "source",
            "title",
            "detail",
            "owner",
            "owner_name",
            "due_on",
            "status",
            "status_display",
            "outcome",
            "done_at",
            "done_by",
        ]


class CounsellingSessionSerializer(serializers.ModelSerializer):
    """That counselling happened (date, counsellor, form). ``notes`` is a field of this
    serializer only when the view says the caller may read them (``show_notes``)."""

    form_display = serializers.CharField(source="get_form_display", read_only=True)
    counsellor_name = serializers.CharField(source="counsellor.real_name", read_only=True)
    notes = serializers.CharField(
        read_only=True, required=False, help_text="辅导记录：仅心理教师和分管安全副校长可见，每次读取记入审计"
    )

    class Meta:
        model = CounsellingSession
        fields = [
            "id",
            "school",
            "student",
            "plan",
            "counsellor",
            "counsellor_name",
            "held_at",
            "form",
            "form_display",
            "duration_minutes",
            "next_on",
            "notes",
        ]

    def get_fields(self):
        fields = super().get_fields()
        if not self.context.get("show_notes"):
            fields.pop("notes", None)
        return fields


# --- write serializers ---------------------------------------------------------------------------


class CarePlanCreateSerializer(serializers.Serializer):
    student = ScopedStudentField()
    kind = serializers.ChoiceField(choices=CarePlan.Kind.choices, default=CarePlan.Kind.CARE)
    level = serializers.ChoiceField(choices=Level.choices, required=False, allow_null=True)
    measures = serializers.ListField(child=serializers.ChoiceField(choices=Measure.choices), required=False)
    owner = StaffField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    ends_on = serializers.DateField(required=False, allow_null=True)
    cadence_days = serializers.IntegerField(min_value=1, max_value=90, required=False, allow_null=True)


class ContactCreateSerializer(serializers.Serializer):
    plan = ScopedPlanField(required=False, allow_null=True)
    student = ScopedStudentField(required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=[(k, k) for k in services.LOGGABLE_KINDS], default="talk")
    summary = serializers.CharField(max_length=2000)
    occurred_at = serializers.DateTimeField(required=False, allow_null=True)
    next_step = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    anomaly = serializers.BooleanField(default=False)
    anomaly_note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    participants = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if not attrs.get("plan") and not attrs.get("student"):
            raise serializers.ValidationError({"student": _("请指定关爱计划或学生。")})
        return attrs


class TaskUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=InterventionTask.Status.choices, required=False)
    outcome = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    owner = StaffField(required=False)
    due_on = serializers.DateField(required=False)


class SessionCreateSerializer(serializers.Serializer):
    student = ScopedStudentField()
    plan = ScopedPlanField(required=False, allow_null=True)
    held_at = serializers.DateTimeField(required=False, allow_null=True)
    form = serializers.ChoiceField(choices=CounsellingSession.Form.choices, default="individual")
    duration_minutes = serializers.IntegerField(min_value=1, max_value=600, required=False, allow_null=True)
    notes = serializers.CharField(write_only=True)
    next_on = serializers.DateField(required=False, allow_null=True)


# --- viewsets ----------------------------------------------------------------------------------


class CarePlanViewSet(ServiceCreateMixin, mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Care and watch plans in scope (a class teacher: their class). POST opens a plan."""

    queryset = CarePlan.objects.all()
    serializer_class = CarePlanSerializer
    filterset_class = CarePlanApiFilter
    select_related = ("student", "owner")
    sensitive_retrieve = True
    create_serializer_class = CarePlanCreateSerializer

    def perform_service_create(self, data):
        student = data.pop("student")
        return services.create_plan(self.request.user, student, **data)

    def get_created_serializer_context(self):
        return {}  # the made plan is answered as it always was, without the request


class ContactLogViewSet(ServiceCreateMixin, mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Contacts (谈心谈话, 家访 …). POST logs one: defaults now, me, the plan's student; an
    anomaly opens an intervention task and notifies the safety leader."""

    queryset = ContactLog.objects.all()
    serializer_class = ContactLogSerializer
    filterset_class = ContactLogApiFilter
    select_related = ("staff",)
    sensitive_retrieve = True
    create_serializer_class = ContactCreateSerializer

    def perform_service_create(self, data):
        return services.log_contact(self.request.user, **data)


class InterventionTaskViewSet(ScopedReadOnlyViewSet):
    """Intervention tasks. PATCH records progress; finishing needs the outcome."""

    queryset = InterventionTask.objects.all()
    serializer_class = TaskSerializer
    filterset_class = TaskApiFilter
    select_related = ("owner",)
    sensitive_retrieve = True
    http_method_names = ["get", "patch", "head", "options"]

    @extend_schema(request=TaskUpdateSerializer, responses=TaskSerializer)
    def partial_update(self, request, *args, **kwargs):
        task = self.get_object()
        ser = TaskUpdateSerializer(data=request.data, context=self.get_serializer_context())
        ser.is_valid(raise_exception=True)
        task = services.update_task(request.user, task, **ser.validated_data)
        return Response(TaskSerializer(task).data)


class CounsellingSessionViewSet(ServiceCreateMixin, mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Counselling sessions: date, counsellor and form for everyone who may see the student's
    care; ``notes`` on a single session only for its school's counsellors and safety leader."""

    queryset = CounsellingSession.objects.all()
    serializer_class = CounsellingSessionSerializer
    filterset_class = SessionApiFilter
    select_related = ("counsellor",)
    create_serializer_class = SessionCreateSerializer

    def get_queryset(self):
        qs = super().get_queryset()
        return qs if self.action == "retrieve" else qs.defer("notes")

    def retrieve(self, request, *args, **kwargs):
        session = self.get_object()
        show = services.can_read_notes(request.user, session)
        if show:
            services.read_notes(request.user, session, via="api")
        else:
            from anxin.core import audit

            audit.record("read", session, data={"via": "api"})
        context = {**self.get_serializer_context(), "show_notes": show}
        return Response(CounsellingSessionSerializer(session, context=context).data)

    def perform_service_create(self, data):
        return services.record_counselling(self.request.user, **data)

    def get_created_serializer_context(self):
        return {**self.get_serializer_context(), "show_notes": False}


def register(router) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    router.register("care-plans", CarePlanViewSet, basename="care-plan")
    router.register("care-contacts", ContactLogViewSet, basename="care-contact")
    router.register("care-tasks", InterventionTaskViewSet, basename="care-task")
    router.register("counselling-sessions", CounsellingSessionViewSet, basename="counselling-session")
