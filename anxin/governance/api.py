"""REST API of this app (R-Q-3): the same policy as the pages, writes through the same services.

- ``governance-checklist``: the county's checklist (bureau writes);
- ``self-checks``: a school's self-checks with their answers; start, save answers, submit;
- ``governance-documents``: document versions (rules, school rules, work plan); upload a version;
- ``governance-schools``: every school at a glance (self-check gaps, documents, leading group);
- ``improvements``: 举一反三 items; raise one, close with a decision;
- ``lessons`` and ``lesson-assignments``: drafts (de-identified), publish, assign, mark studied.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from anxin.core import policy
from anxin.core.api import ScopedReadOnlyViewSet
from anxin.core.editing import ServiceCreateMixin
from anxin.governance import services
from anxin.governance.filters import ImprovementFilter, LessonFilter, SelfCheckFilter, VersionFilter
from anxin.governance.models import (
    Answer,
    ChecklistItem,
    DocKind,
    DocumentVersion,
    Improvement,
    Lesson,
    LessonAssignment,
    SelfCheck,
    SelfCheckAnswer,
)


def _school(request, pk, perm: str):
    from anxin.org.models import School

    ids = policy.schools_for(request.user, perm)
    qs = School.objects.restrict(request.user)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return get_object_or_404(qs, pk=pk)


# --- checklist ------------------------------------------------------------------------------------


class ChecklistItemSerializer(serializers.ModelSerializer):
    dimension_display = serializers.CharField(source="get_dimension_display", read_only=True)

    class Meta:
        model = ChecklistItem
        fields = ["id", "dimension", "dimension_display", "text", "probe", "position", "active"]


class ChecklistItemViewSet(ServiceCreateMixin, mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    queryset = ChecklistItem.objects.all()
    serializer_class = ChecklistItemSerializer
    create_serializer_class = ChecklistItemSerializer

    def get_queryset(self):
        from anxin.governance.checklist import ensure_checklist

        if self.request.user.county_id:
            ensure_checklist(self.request.user.county_id)
        return super().get_queryset()

    def perform_service_create(self, data):
        return services.save_item(self.request.user, self.request.user.county_id, data)


# --- self-checks -------------------------------------------------------------------------------


class AnswerSerializer(serializers.ModelSerializer):
    dimension = serializers.CharField(source="item.dimension", read_only=True)
    item_text = serializers.CharField(source="item.text", read_only=True)

    class Meta:
        model = SelfCheckAnswer
        fields = [
            "id",
            "item",
            "dimension",
            "item_text",
            "answer",
            "note",
            "proposed",
            "proposed_reason",
            "rectification",
        ]


class SelfCheckSerializer(serializers.ModelSerializer):
    answers = AnswerSerializer(many=True, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = SelfCheck
        fields = [
            "id",
            "school",
            "period",
            "checked_on",
            "status",
            "status_display",
            "gaps",
            "submitted_by",
            "submitted_at",
            "answers",
        ]


class SelfCheckStartSerializer(serializers.Serializer):
    school = serializers.IntegerField()
    period = serializers.CharField(max_length=40)
    checked_on = serializers.DateField(required=False)


class AnswerInSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    answer = serializers.ChoiceField(choices=Answer.choices, allow_blank=True)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class AnswersInSerializer(serializers.Serializer):
    answers = AnswerInSerializer(many=True)


class SelfCheckViewSet(ServiceCreateMixin, mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    queryset = SelfCheck.objects.all()
    serializer_class = SelfCheckSerializer
    create_serializer_class = SelfCheckStartSerializer
    filterset_class = SelfCheckFilter

    def get_queryset(self):
        return super().get_queryset().prefetch_related("answers__item")

    def perform_service_create(self, data):
        school = _school(self.request, data.pop("school"), "governance.selfcheck.change")
        return services.start_selfcheck(self.request.user, school, **data)

    @extend_schema(request=AnswersInSerializer, responses=SelfCheckSerializer)
    @action(detail=True, methods=["post"])
    def answers(self, request, pk=None):
        sc = self.get_object()
        ser = AnswersInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        values = {a["id"]: (a["answer"], a.get("note", "")) for a in ser.validated_data["answers"]}
        services.save_answers(request.user, sc, values)
        return Response(SelfCheckSerializer(SelfCheck.objects.get(pk=sc.pk)).data)

    @extend_schema(request=None, responses=SelfCheckSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        sc = services.submit_selfcheck(request.user, self.get_object())
        return Response(SelfCheckSerializer(sc).data)


# --- documents ------------------------------------------------------------------------------------


class VersionSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = DocumentVersion
        fields = [
            "id",
            "school",
            "kind",
            "kind_display",
            "number",
            "title",
            "summary",
            "approved_by",
            "approved_on",
            "effective_on",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "created_at",
        ]


class VersionCreateSerializer(serializers.Serializer):
    school = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=DocKind.choices)
    title = serializers.CharField(max_length=120, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=500, required=False, allow_blank=True)
    approved_by = serializers.IntegerField(required=False, allow_null=True)
    approved_on = serializers.DateField(required=False, allow_null=True)
    effective_on = serializers.DateField(required=False, allow_null=True)
    file = serializers.FileField()


class VersionViewSet(ServiceCreateMixin, mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    queryset = DocumentVersion.objects.all()
    serializer_class = VersionSerializer
    create_serializer_class = VersionCreateSerializer
    filterset_class = VersionFilter

    def perform_service_create(self, data):
        from anxin.accounts.models import User

        school = _school(self.request, data.pop("school"), "governance.documentversion.change")
        approver = data.pop("approved_by", None)
        if approver is not None:
            # only the school's staff can be named; anyone else reads as not on the staff
            data["approved_by"] = services.staff_of(school.pk).filter(pk=approver).first() or User(pk=0)
        upload = data.pop("file")
        return services.add_version(
            self.request.user, school, kind=data.pop("kind"), data=data, upload=upload
        )


# --- the schools at a glance -------------------------------------------------------------------------


class SchoolRowSerializer(serializers.Serializer):
    school = serializers.IntegerField(source="school.pk")
    school_name = serializers.CharField(source="school.name")
    selfcheck = serializers.IntegerField(source="selfcheck.pk", allow_null=True, default=None)
    gaps = serializers.ListField(child=serializers.CharField())
    rules_current = serializers.BooleanField(source="docs.rules_current")
    rules_state = serializers.CharField(source="docs.reason")
    workplan_version = serializers.IntegerField(source="docs.workplan.number", allow_null=True, default=None)
    leading_group_formed = serializers.BooleanField(source="group.formed")
    leading_group_missing = serializers.ListField(source="group.missing", child=serializers.CharField())


class SchoolBoardViewSet(viewsets.ViewSet):
    """Each school in the caller's view: latest self-check and gaps, documents, leading group."""

    policy_model = SelfCheck

    @extend_schema(responses=SchoolRowSerializer(many=True))
    def list(self, request):
        from anxin.governance.views.selfcheck import board_rows
        from anxin.org.models import School

        ids = policy.schools_for(request.user, "governance.selfcheck.view")
        qs = School.objects.restrict(request.user).order_by("town", "name")
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        return Response(SchoolRowSerializer(board_rows(qs), many=True).data)


# --- 举一反三 ---------------------------------------------------------------------------------------


class ImprovementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Improvement
        fields = [
            "id",
            "school",
            "source",
            "case",
            "sign",
            "rectification",
            "document",
            "cause",
            "parent_communication",
            "change",
            "status",
            "raised_by",
            "closed_by",
            "closed_at",
            "version",
            "decision",
        ]


class ImprovementCreateSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=Improvement.Source.choices)
    source_id = serializers.IntegerField(help_text="事件、值守记录或整改事项的编号")
    document = serializers.ChoiceField(choices=DocKind.choices)
    cause = serializers.CharField(max_length=1000)
    parent_communication = serializers.CharField(max_length=1000)
    change = serializers.CharField(max_length=1000)


class KeepSerializer(serializers.Serializer):
    decision = serializers.CharField(max_length=1000)


class ImprovementViewSet(ServiceCreateMixin, mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    queryset = Improvement.objects.all()
    serializer_class = ImprovementSerializer
    create_serializer_class = ImprovementCreateSerializer
    filterset_class = ImprovementFilter

    def perform_service_create(self, data):
        from django.http import Http404

        from anxin.cases.models import BullyingCase
        from anxin.screening.models import DutyLog, Rectification

        model = {
            Improvement.Source.CASE: BullyingCase,
            Improvement.Source.SIGN: DutyLog,
            Improvement.Source.RECTIFICATION: Rectification,
        }[data["source"]]
        obj = model.objects.restrict(self.request.user, "view").filter(pk=data.pop("source_id")).first()
        if obj is None:
            raise Http404
        return services.raise_improvement(self.request.user, obj=obj, **data)

    @extend_schema(request=KeepSerializer, responses=ImprovementSerializer)
    @action(detail=True, methods=["post"])
    def keep(self, request, pk=None):
        ser = KeepSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        imp = services.keep_document(request.user, self.get_object(), **ser.validated_data)
        return Response(ImprovementSerializer(imp).data)


# --- lessons --------------------------------------------------------------------------------------


class LessonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Lesson
        fields = ["id", "origin", "title", "summary", "lessons", "status", "published_at"]


class LessonDraftSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    case = serializers.IntegerField(required=False, allow_null=True, help_text="本县已结案事件编号")
    outside_text = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class LessonEditSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120, required=False)
    summary = serializers.CharField(max_length=4000, required=False)
    lessons = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class AssignSerializer(serializers.Serializer):
    school = serializers.IntegerField()
    staff = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


class LessonViewSet(ServiceCreateMixin, mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    queryset = Lesson.objects.all()
    serializer_class = LessonSerializer
    create_serializer_class = LessonDraftSerializer
    filterset_class = LessonFilter
    policy_actions = {"assign": "view"}

    def get_queryset(self):
        qs = super().get_queryset()
        if not policy.can(self.request.user, "governance.lesson.change"):
            qs = qs.filter(status=Lesson.Status.PUBLISHED)
        return qs

    def perform_service_create(self, data):
        from django.http import Http404

        from anxin.cases.models import BullyingCase

        case = None
        if data.get("case"):
            case = BullyingCase.objects.restrict(self.request.user, "view").filter(pk=data["case"]).first()
            if case is None:
                raise Http404
        return services.draft_lesson(
            self.request.user,
            self.request.user.county_id,
            title=data["title"],
            case=case,
            outside_text=data.get("outside_text", ""),
        )

    @extend_schema(request=LessonEditSerializer, responses=LessonSerializer)
    def partial_update(self, request, *args, **kwargs):
        lesson = self.get_object()
        ser = LessonEditSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        lesson = services.save_lesson(request.user, lesson.county_id, ser.validated_data, lesson)
        return Response(LessonSerializer(lesson).data)

    @extend_schema(request=None, responses=LessonSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return Response(LessonSerializer(services.publish_lesson(request.user, self.get_object())).data)

    @extend_schema(request=AssignSerializer, responses=None)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        lesson = self.get_object()
        ser = AssignSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        school = _school(request, ser.validated_data["school"], "governance.lessonassignment.change")
        staff = list(services.lesson_staff(school.pk).filter(pk__in=ser.validated_data["staff"]))
        if len(staff) != len(set(ser.validated_data["staff"])):
            from django.core.exceptions import ValidationError

            raise ValidationError({"staff": "请选择本校在岗教职工。"})
        made = services.assign_lesson(request.user, lesson, school, staff)
        return Response({"assigned": [a.pk for a in made]}, status=201)


class AssignmentSerializer(serializers.ModelSerializer):
    lesson_title = serializers.CharField(source="lesson.title", read_only=True)

    class Meta:
        model = LessonAssignment
        fields = ["id", "lesson", "lesson_title", "school", "staff", "assigned_by", "studied_at"]


class AssignmentViewSet(ScopedReadOnlyViewSet):
    queryset = LessonAssignment.objects.all()
    serializer_class = AssignmentSerializer
    select_related = ("lesson",)
    policy_actions = {"studied": "study"}

    @extend_schema(request=None, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def studied(self, request, pk=None):
        return Response(AssignmentSerializer(services.mark_studied(request.user, self.get_object())).data)


def register(router) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    router.register("governance-checklist", ChecklistItemViewSet, basename="governance-checklist")
    router.register("self-checks", SelfCheckViewSet, basename="self-check")
    router.register("governance-documents", VersionViewSet, basename="governance-document")
    router.register("governance-schools", SchoolBoardViewSet, basename="governance-school")
    router.register("improvements", ImprovementViewSet, basename="improvement")
    router.register("lessons", LessonViewSet, basename="lesson")
    router.register("lesson-assignments", AssignmentViewSet, basename="lesson-assignment")
