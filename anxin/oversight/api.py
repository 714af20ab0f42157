"""REST API of this app (R-Q-3): the same policy as the pages, writes through the same services.

- ``supervision-posts``: the posts in the caller's view with their shifts and gaps;
- ``post-observations``: observations (leaders, security staff); ``POST`` records one at a post
  the caller stands a shift at (written to the monitoring duty log; ``flagged`` → triage);
- ``accountability-list``: the classes, grades and schools over the county's thresholds
  (``?term=2026-2``), with reasons and case numbers;
- ``accountability-actions``: 通报、约谈、限期整改…; record one; ``complete`` records the
  follow-up (the person named on it, or whoever may record actions).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from anxin.core import policy
from anxin.core.api import ScopedReadOnlyViewSet
from anxin.core.editing import ServiceCreateMixin
from anxin.oversight import services
from anxin.oversight.accountability import compute, parse_term
from anxin.oversight.filters import ActionFilter, ObservationFilter
from anxin.oversight.models import Action, ActionKind, Level, Observation, Post, PostShift
from anxin.oversight.posts import states


class ShiftSerializer(serializers.ModelSerializer):
    officer_class = serializers.SerializerMethodField()

    class Meta:
        model = PostShift
        fields = ["id", "weekday", "start_time", "end_time", "staff", "officer", "officer_class"]

    def get_officer_class(self, obj) -> str:
        return str(obj.officer.klass) if obj.officer_id else ""


class OversightPostSerializer(serializers.ModelSerializer):
    shifts = serializers.SerializerMethodField()
    gaps = serializers.SerializerMethodField()
    no_camera = serializers.SerializerMethodField()
    where = serializers.CharField(read_only=True)

    class Meta:
        model = Post
        fields = [
            "id",
            "school",
            "name",
            "hazard",
            "place",
            "where",
            "duties",
            "active",
            "shifts",
            "gaps",
            "no_camera",
        ]

    def _state(self, obj):
        cache = self.context.setdefault("_states", {})
        if obj.pk not in cache:
            cache.update({s.post.pk: s for s in states([obj])})
        return cache[obj.pk]

    @extend_schema(responses=ShiftSerializer(many=True))
    def get_shifts(self, obj) -> list:
        return ShiftSerializer(self._state(obj).shifts, many=True).data

    def get_gaps(self, obj) -> list[str]:
        return [str(g) for g in self._state(obj).gaps]

    def get_no_camera(self, obj) -> bool:
        return self._state(obj).no_camera


class PostViewSet(ScopedReadOnlyViewSet):
    queryset = Post.objects.all()
    serializer_class = OversightPostSerializer
    select_related = ("school",)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        rows = page if page is not None else list(self.get_queryset())
        ctx = self.get_serializer_context()
        ctx["_states"] = {s.post.pk: s for s in states(rows)}
        data = OversightPostSerializer(rows, many=True, context=ctx).data
        return self.get_paginated_response(data) if page is not None else Response(data)


class ObservationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Observation
        fields = [
            "id",
            "school",
            "post",
            "shift",
            "at",
            "recorded_by",
            "summary",
            "flagged",
            "duty_log",
            "concern_id",
        ]


class ObservationCreateSerializer(serializers.Serializer):
    post = serializers.IntegerField()
    summary = serializers.CharField(max_length=500)
    flagged = serializers.BooleanField(default=False)


class ObservationViewSet(ServiceCreateMixin, mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    queryset = Observation.objects.all()
    serializer_class = ObservationSerializer
    create_serializer_class = ObservationCreateSerializer
    filterset_class = ObservationFilter
    select_related = ("post",)

    def perform_service_create(self, data):
        post = get_object_or_404(Post.objects.restrict(self.request.user, "view"), pk=data["post"])
        return services.record_observation(
            by=self.request.user, post=post, summary=data["summary"], flagged=data["flagged"]
        )


class RowSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=Level.choices)
    school_id = serializers.IntegerField()
    school = serializers.CharField()
    target = serializers.CharField()
    grade_id = serializers.IntegerField(allow_null=True)
    klass_id = serializers.IntegerField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())
    case_list = serializers.ListField(child=serializers.CharField())
    action = serializers.ChoiceField(choices=ActionKind.choices)


class AccountabilityViewSet(viewsets.ViewSet):
    """The list for 通报约谈 in the caller's scope (a school sees itself, the bureau its county)."""

    policy_perm = "oversight.accountability.view"

    @extend_schema(responses=RowSerializer(many=True))
    def list(self, request):
        schools = policy.schools_for(request.user, self.policy_perm)
        rows = compute(
            request.user.county_id, schools, parse_term(request.query_params.get("term")), viewer=request.user
        )
        return Response(RowSerializer(rows, many=True).data)


class ActionSerializer(serializers.ModelSerializer):
    target = serializers.CharField(read_only=True)

    class Meta:
        model = Action
        fields = [
            "id", "school", "kind", "level", "grade", "klass", "target", "reason", "cases", "decided_on",
            "decided_by", "interviewees", "interviewers", "agreed", "owner", "follow_up_due", "done_on", "done_note",
        ]  # fmt: skip


class ActionCreateSerializer(serializers.Serializer):
    school = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ActionKind.choices)
    level = serializers.ChoiceField(choices=Level.choices)
    grade = serializers.IntegerField(required=False, allow_null=True)
    klass = serializers.IntegerField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=1000)
    cases = serializers.CharField(max_length=400, required=False, allow_blank=True)
    decided_on = serializers.DateField(required=False)
    interviewees = serializers.CharField(max_length=200, required=False, allow_blank=True)
    interviewers = serializers.CharField(max_length=200, required=False, allow_blank=True)
    agreed = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    owner = serializers.IntegerField()
    follow_up_due = serializers.DateField()


class CompleteSerializer(serializers.Serializer):
    done_note = serializers.CharField(max_length=1000)
    done_on = serializers.DateField(required=False)


class ActionViewSet(ServiceCreateMixin, mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    queryset = Action.objects.all()
    serializer_class = ActionSerializer
    create_serializer_class = ActionCreateSerializer
    filterset_class = ActionFilter
    select_related = ("school", "grade", "klass")
    policy_actions = {"complete": "view"}

    def perform_service_create(self, data):
        from anxin.org.models import Grade, School, SchoolClass

        ids = policy.schools_for(self.request.user, "oversight.action.change")
        qs = School.objects.restrict(self.request.user)
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        school = get_object_or_404(qs, pk=data.pop("school"))
        data["grade"] = (
            Grade.objects.filter(pk=data.get("grade"), school=school).first() if data.get("grade") else None
        )
        data["klass"] = (
            SchoolClass.objects.filter(pk=data.get("klass"), school=school).select_related("grade").first()
            if data.get("klass")
            else None
        )
        data["owner"] = services.staff_of(school.pk).filter(pk=data["owner"]).first()
        return services.save_action(by=self.request.user, school=school, data=data)

    def get_permissions(self):
        if self.action == "complete":  # the person named on it may, as on the page: the service decides
            return [IsAuthenticated()]
        return super().get_permissions()

    def get_object(self):
        if self.action == "complete":
            mine = Action.objects.filter(pk=self.kwargs.get("pk"), owner=self.request.user).first()
            if mine is not None:
                return mine
        return super().get_object()

    @extend_schema(request=CompleteSerializer, responses=ActionSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        a = self.get_object()
        ser = CompleteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        a = services.complete_action(
            by=request.user,
            action=a,
            note=ser.validated_data["done_note"],
            done_on=ser.validated_data.get("done_on"),
        )
        return Response(ActionSerializer(a).data)


def register(router) -> None:
    router.register("supervision-posts", PostViewSet, basename="supervision-post")
    router.register("post-observations", ObservationViewSet, basename="post-observation")
    router.register("accountability-list", AccountabilityViewSet, basename="accountability-list")
    router.register("accountability-actions", ActionViewSet, basename="accountability-action")
