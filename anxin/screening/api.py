"""REST API of screening and early warning (R-Q-3): the same policy and the same services as
the pages. Lists are scoped with ``restrict``; writes go through ``anxin.screening.services``
(which check the object-level policy again). The bureau's figures (``counts``) carry no
names; student-level endpoints are closed to county roles by the policy."""

from __future__ import annotations

import hashlib

from django.db.models import F
from drf_spectacular.drainage import set_override
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from anxin.core import audit, policy
from anxin.core.api import ScopedReadOnlyViewSet
from anxin.org.models import School, SchoolClass
from anxin.roster.models import Student
from anxin.screening import filters as f
from anxin.screening import services
from anxin.screening.models import (
    Camera,
    DutyLog,
    DutyShift,
    HazardMeasure,
    HazardPoint,
    KeyPeriod,
    MeasureType,
    MonitoringZone,
    Mood,
    Peers,
    PeerSurvey,
    Psych,
    Rectification,
    RiskAssessment,
    RiskState,
    ScreeningRecord,
    ScreeningRound,
    SurveyResponse,
    TendencyEntry,
    TendencyReview,
    VulnerabilityCategory,
    VulnerabilityEntry,
)


class InlineEnums:
    """Each serializer's choice fields get their own enum component (e.g. ``HazardStatusEnum``):
    enums named only after the field ("status", "level", "kind" …) would collide across this
    app's and other apps' serializers."""

    def get_fields(self):
        fields = super().get_fields()
        owner = type(self).__name__.removesuffix("Serializer")
        for name, field in fields.items():
            if isinstance(field, serializers.ChoiceField):
                values = list(field.choices)
                is_int = bool(values) and all(isinstance(v, int) for v in values)
                schema = {
                    "type": "integer" if is_int else "string",
                    "enum": values,
                    "description": "；".join(f"{k}={v}" for k, v in field.choices.items()),
                }
                if getattr(field, "allow_blank", False):
                    schema["enum"] = [*values, ""]
                if field.allow_null:
                    schema["nullable"] = True
                schema["x-spec-enum-id"] = hashlib.sha256(f"{owner}.{name}".encode()).hexdigest()[:16]
                if name in ("level", "previous_level"):
                    # risk levels: described, not an enum component (the care app documents
                    # the same four values under "level")
                    schema.pop("enum")
                    schema.pop("x-spec-enum-id")
                set_override(field, "field", schema)
        return fields


class S(InlineEnums, serializers.Serializer):
    pass


class MS(InlineEnums, serializers.ModelSerializer):
    pass


class ScopedPK(serializers.PrimaryKeyRelatedField):
    """A primary key resolved only among the rows the caller may see."""

    def __init__(self, model, action: str = "view", **kwargs):
        self.model, self.scope_action = model, action
        super().__init__(**kwargs)
        self.queryset = model._default_manager.none()  # lets the schema see the model

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return self.model.objects.none()
        return self.model.objects.restrict(request.user, self.scope_action)

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError:
            if self.model._meta.label_lower == "roster.student":
                from anxin.roster import lookup

                lookup.audit_denied(data, "screening")  # a student outside the scope, audited
            raise


class StaffPK(serializers.PrimaryKeyRelatedField):
    """A staff account (services check it holds a post at the school)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        from anxin.accounts.models import User

        self.queryset = User.objects.none()

    def get_queryset(self):
        from anxin.accounts.models import User

        return User.objects.filter(is_active=True)


class ServiceCreateMixin(mixins.CreateModelMixin):
    """``create`` parses with ``write_serializer_class`` and calls ``service_create``."""

    write_serializer_class = None

    def get_serializer_class(self):
        if self.action in ("create", "partial_update", "update") and self.write_serializer_class:
            return self.write_serializer_class
        return super().get_serializer_class()

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        obj = self.service_create(ser.validated_data)
        return Response(
            self.serializer_class(obj, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


class ServiceUpdateMixin:
    def partial_update(self, request, *args, **kwargs):
        obj = self.get_object()
        ser = self.get_serializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        obj = self.service_update(obj, ser.validated_data)
        return Response(self.serializer_class(obj, context=self.get_serializer_context()).data)


def _write_schema(read, write, update: bool = False):
    views = {"create": extend_schema(request=write, responses={201: read})}
    if update:
        views["partial_update"] = extend_schema(request=write, responses={200: read})
    return extend_schema_view(**views)


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


@_write_schema(RoundSerializer, RoundWriteSerializer)
class RoundViewSet(ServiceCreateMixin, ScopedReadOnlyViewSet):
    """Screening rounds (R-SCR-1). POST opens a school's round; ``complete`` closes it at 100%."""

    queryset = ScreeningRound.objects.all()
    serializer_class = RoundSerializer
    write_serializer_class = RoundWriteSerializer
    filterset_class = f.RoundFilter
    select_related = ("school",)

    def service_create(self, data):
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


@_write_schema(RecordSerializer, RecordWriteSerializer)
class RecordViewSet(ServiceCreateMixin, ScopedReadOnlyViewSet):
    """Per-student screening records; POST records or corrects one (upsert per round and student)."""

    queryset = ScreeningRecord.objects.all()
    serializer_class = RecordSerializer
    write_serializer_class = RecordWriteSerializer
    select_related = ("student",)
    sensitive_retrieve = True

    def service_create(self, data):
        r, student = data.pop("round"), data.pop("student")
        return services.save_record(by=self.request.user, round=r, student=student, data=data)

    def get_queryset(self):
        qs = super().get_queryset()
        rid = self.request.query_params.get("round")
        return qs.filter(round_id=rid) if rid and rid.isdigit() else qs

    @extend_schema(parameters=[OpenApiParameter("round", int, description="排查轮次编号")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


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


@_write_schema(SurveySerializer, SurveyWriteSerializer)
class SurveyViewSet(ServiceCreateMixin, ScopedReadOnlyViewSet):
    """Class peer-relationship surveys (results: class teacher, counsellor, safety leader).
    POST opens one and issues the personal codes; ``close`` ends it."""

    queryset = PeerSurvey.objects.all()
    serializer_class = SurveySerializer
    write_serializer_class = SurveyWriteSerializer
    filterset_class = f.SurveyFilter
    policy_actions = {"create": "change", "close": "change"}

    def service_create(self, data):
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


@_write_schema(VulnerabilitySerializer, VulnerabilityWriteSerializer)
class VulnerabilityViewSet(ServiceCreateMixin, ScopedReadOnlyViewSet):
    """弱势学生台账 (R-SCR-2)."""

    queryset = VulnerabilityEntry.objects.all()
    serializer_class = VulnerabilitySerializer
    write_serializer_class = VulnerabilityWriteSerializer
    filterset_class = f.VulnerabilityFilter
    select_related = ("student", "category")
    policy_actions = {"create": "change", "end": "change"}

    def service_create(self, data):
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


@_write_schema(TendencySerializer, TendencyWriteSerializer)
class TendencyViewSet(ServiceCreateMixin, ScopedReadOnlyViewSet):
    """欺凌倾向台账 (R-SCR-3); ``review`` records a periodic review."""

    queryset = TendencyEntry.objects.all()
    serializer_class = TendencySerializer
    write_serializer_class = TendencyWriteSerializer
    filterset_class = f.TendencyFilter
    select_related = ("student",)
    sensitive_retrieve = True
    policy_actions = {"create": "change", "review": "change"}

    def service_create(self, data):
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


@_write_schema(HazardSerializer, HazardWriteSerializer, update=True)
class HazardViewSet(ServiceCreateMixin, ServiceUpdateMixin, ScopedReadOnlyViewSet):
    """隐患点台账 (R-SCR-5) with measures and cameras."""

    queryset = HazardPoint.objects.all()
    serializer_class = HazardSerializer
    write_serializer_class = HazardWriteSerializer
    filterset_class = f.HazardFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    policy_actions = {"create": "change", "partial_update": "change"}

    def get_queryset(self):
        return super().get_queryset().prefetch_related("measures", "cameras")

    def service_create(self, data):
        school = data.pop("school")
        return services.save_hazard(by=self.request.user, school=school, data=data)

    def service_update(self, obj, data):
        data.pop("school", None)
        return services.save_hazard(by=self.request.user, school=obj.school, data=data, hazard=obj)


@_write_schema(MeasureSerializer, MeasureWriteSerializer)
class MeasureViewSet(ServiceCreateMixin, ScopedReadOnlyViewSet):
    queryset = HazardMeasure.objects.all()
    serializer_class = MeasureSerializer
    write_serializer_class = MeasureWriteSerializer
    policy_actions = {"create": "change", "done": "change"}

    def service_create(self, data):
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


@_write_schema(ZoneSerializer, ZoneWriteSerializer)
class ZoneViewSet(ServiceCreateMixin, ScopedReadOnlyViewSet):
    """监控区域."""

    queryset = MonitoringZone.objects.all()
    serializer_class = ZoneSerializer
    write_serializer_class = ZoneWriteSerializer
    policy_actions = {"create": "change"}

    def service_create(self, data):
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


@_write_schema(CameraSerializer, CameraWriteSerializer)
class CameraViewSet(ServiceCreateMixin, ScopedReadOnlyViewSet):
    queryset = Camera.objects.all()
    serializer_class = CameraSerializer
    write_serializer_class = CameraWriteSerializer
    filterset_class = f.CameraFilter
    policy_actions = {"create": "change"}

    def get_queryset(self):
        return super().get_queryset().prefetch_related("covers")

    def service_create(self, data):
        school = data.pop("school")
        return services.save_camera(by=self.request.user, school=school, data=data)


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


@_write_schema(ShiftSerializer, ShiftWriteSerializer)
class ShiftViewSet(ServiceCreateMixin, ScopedReadOnlyViewSet):
    """重点时段值守排班."""

    queryset = DutyShift.objects.all()
    serializer_class = ShiftSerializer
    write_serializer_class = ShiftWriteSerializer
    filterset_class = f.ShiftFilter
    policy_actions = {"create": "change"}

    def service_create(self, data):
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


@_write_schema(DutyLogSerializer, DutyLogWriteSerializer)
class DutyLogViewSet(ServiceCreateMixin, ScopedReadOnlyViewSet):
    """值守记录; an entry with ``is_sign`` becomes a concern for triage."""

    queryset = DutyLog.objects.all()
    serializer_class = DutyLogSerializer
    write_serializer_class = DutyLogWriteSerializer
    filterset_class = f.DutyLogFilter
    policy_actions = {"create": "change"}

    def service_create(self, data):
        school = data.pop("school")
        return services.log_duty(by=self.request.user, school=school, **data)

    def get_queryset(self):
        return super().get_queryset().order_by("-at", "-id")


class RectificationSerializer(MS):
    class Meta:
        model = Rectification
        fields = [
            "id",
            "school",
            "found_on",
            "source",
            "problem",
            "measure",
            "owner",
            "due_date",
            "status",
            "done_on",
            "evidence",
            "hazard",
        ]


class RectificationWriteSerializer(MS):
    school = ScopedPK(School)
    owner = StaffPK()
    hazard = ScopedPK(HazardPoint, required=False, allow_null=True)

    class Meta:
        model = Rectification
        fields = [
            "school",
            "found_on",
            "source",
            "problem",
            "measure",
            "owner",
            "due_date",
            "status",
            "evidence",
            "hazard",
        ]


@_write_schema(RectificationSerializer, RectificationWriteSerializer, update=True)
class RectificationViewSet(ServiceCreateMixin, ServiceUpdateMixin, ScopedReadOnlyViewSet):
    """问题整改台账 (R-SCR-7)."""

    queryset = Rectification.objects.all()
    serializer_class = RectificationSerializer
    write_serializer_class = RectificationWriteSerializer
    filterset_class = f.RectificationFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    policy_actions = {"create": "change", "partial_update": "change"}

    def service_create(self, data):
        school = data.pop("school")
        return services.save_rectification(by=self.request.user, school=school, data=data)

    def service_update(self, obj, data):
        data.pop("school", None)
        return services.save_rectification(by=self.request.user, school=obj.school, data=data, item=obj)


def register(router) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    p = "screening/"
    router.register(p + "rounds", RoundViewSet, basename="screening-round")
    router.register(p + "records", RecordViewSet, basename="screening-record")
    router.register(p + "surveys", SurveyViewSet, basename="screening-survey")
    router.register(p + "survey-responses", SurveyResponseViewSet, basename="screening-survey-response")
    router.register(p + "categories", CategoryViewSet, basename="screening-category")
    router.register(p + "vulnerable", VulnerabilityViewSet, basename="screening-vulnerable")
    router.register(p + "tendency", TendencyViewSet, basename="screening-tendency")
    router.register(p + "risk", RiskStateViewSet, basename="screening-risk")
    router.register(p + "risk-history", RiskAssessmentViewSet, basename="screening-risk-history")
    router.register(p + "hazards", HazardViewSet, basename="screening-hazard")
    router.register(p + "measures", MeasureViewSet, basename="screening-measure")
    router.register(p + "zones", ZoneViewSet, basename="screening-zone")
    router.register(p + "cameras", CameraViewSet, basename="screening-camera")
    router.register(p + "duty-shifts", ShiftViewSet, basename="screening-duty-shift")
    router.register(p + "duty-logs", DutyLogViewSet, basename="screening-duty-log")
    router.register(p + "rectifications", RectificationViewSet, basename="screening-rectification")
    router.register(p + "counts", CountsViewSet, basename="screening-counts")
