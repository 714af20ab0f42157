"""REST API of campaigns and articles (R-Q-3): the same policy and services as the pages.

- ``campaigns``           — campaigns with their phases; POST creates one from a template;
  ``GET campaigns/{id}/board/`` the board (schools × tasks), ``POST campaigns/{id}/booklet/``
  the booklet's selection and order
- ``campaign-tasks``      — the tasks (filter by campaign or phase)
- ``campaign-progress``   — schools' evidence of evidenced tasks; POST reports; ``return``
- ``articles``            — experience articles; POST writes a draft; ``submit``, ``return``, ``accept``
"""

from __future__ import annotations

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from anxin.campaigns import progress, services, templates
from anxin.campaigns.filters import ArticleFilter
from anxin.campaigns.models import Article, ArticleReview, Campaign, Phase, Task, TaskProgress
from anxin.campaigns.views._common import visible_schools
from anxin.core.api import ScopedReadOnlyViewSet
from anxin.core.editing import ServiceCreateMixin


class CampaignPhaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Phase
        fields = ["id", "order", "name", "starts_on", "deadline"]


class CampaignSerializer(serializers.ModelSerializer):
    phases = CampaignPhaseSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "county", "title", "template_key", "description", "skipped", "phases", "created_at"]


class CampaignCreateSerializer(serializers.Serializer):
    template_key = serializers.ChoiceField(choices=[k for k, _l in templates.choices()])
    start = serializers.DateField(help_text="第一阶段的开始日期；其余日期按模板间隔顺延")
    title = serializers.CharField(required=False, allow_blank=True, max_length=120)


class CampaignTaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = [
            "id",
            "campaign",
            "phase",
            "order",
            "title",
            "description",
            "school_type",
            "kind",
            "evaluator",
            "params",
        ]


class BoardCellSerializer(serializers.Serializer):
    task = serializers.IntegerField(source="task.pk")
    state = serializers.CharField()
    detail = serializers.CharField()
    url = serializers.CharField()


class BoardRowSerializer(serializers.Serializer):
    school = serializers.IntegerField(source="school.pk")
    school_name = serializers.CharField(source="school.name")
    done = serializers.IntegerField()
    due = serializers.IntegerField()
    overdue = serializers.IntegerField()
    cells = BoardCellSerializer(many=True)


class BoardSerializer(serializers.Serializer):
    tasks = CampaignTaskSerializer(many=True)
    rows = BoardRowSerializer(many=True)


class BookletSerializer(serializers.Serializer):
    article_ids = serializers.ListField(
        child=serializers.IntegerField(), help_text="已采用材料的编号，按汇编顺序"
    )


class CampaignViewSet(ServiceCreateMixin, mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Campaigns of the county (read by the bureau and the schools' leaders); POST: from a template."""

    queryset = Campaign.objects.all()
    serializer_class = CampaignSerializer
    create_serializer_class = CampaignCreateSerializer
    policy_actions = {"board": "view", "booklet": "change"}

    def get_queryset(self):
        return super().get_queryset().prefetch_related("phases")

    def perform_service_create(self, data):
        return services.create_from_template(by=self.request.user, county=self.request.user.county_id, **data)

    @extend_schema(
        parameters=[
            OpenApiParameter("phase", OpenApiTypes.INT, description="阶段编号；不填为全部阶段"),
            OpenApiParameter("type", OpenApiTypes.STR, description="学校类型"),
        ],
        responses={200: BoardSerializer},
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def board(self, request, pk=None):
        """Schools × tasks: each cell done / open / overdue / upcoming / na, with why."""
        campaign = self.get_object()
        from anxin.core import policy

        if not policy.can(request.user, "campaigns.taskprogress.view"):
            raise NotFound()
        phase = None
        raw = request.query_params.get("phase")
        if raw:
            phase = campaign.phases.filter(pk=int(raw)).first() if raw.isdigit() else None
            if phase is None:
                raise NotFound()
        schools = visible_schools(request.user, "campaigns.taskprogress.view")
        if request.query_params.get("type"):
            schools = schools.filter(type=request.query_params["type"])
        return Response(BoardSerializer(progress.evaluate(campaign, schools, phase=phase)).data)

    @extend_schema(request=BookletSerializer, responses={200: BookletSerializer})
    @action(detail=True, methods=["post"], url_path="booklet")
    def booklet(self, request, pk=None):
        """The bureau's selection and order of accepted articles for the booklet."""
        campaign = self.get_object()
        ser = BookletSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        picked = services.set_booklet(
            by=request.user, campaign=campaign, article_ids=ser.validated_data["article_ids"]
        )
        return Response({"article_ids": [a.pk for a in picked]})


class TaskFilter(django_filters.FilterSet):
    class Meta:
        model = Task
        fields = ["campaign", "phase", "kind"]


class CampaignTaskViewSet(ScopedReadOnlyViewSet):
    queryset = Task.objects.all()
    serializer_class = CampaignTaskSerializer
    filterset_class = TaskFilter
    ordering = ("campaign_id", "phase__order", "order", "id")


class CampaignProgressSerializer(serializers.ModelSerializer):
    files = serializers.SerializerMethodField()

    class Meta:
        model = TaskProgress
        fields = [
            "id",
            "task",
            "school",
            "status",
            "note",
            "submitted_by",
            "submitted_at",
            "comment",
            "reviewed_at",
            "files",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_files(self, obj) -> list[str]:
        from django.urls import reverse

        return [reverse("campaigns:attachment", args=[f.pk]) for f in obj.files.all()]


@extend_schema_field(OpenApiTypes.INT)
class ScopedTaskField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Task.objects.restrict(self.context["request"].user, "view")


@extend_schema_field(OpenApiTypes.INT)
class SchoolField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return visible_schools(self.context["request"].user, "campaigns.taskprogress.change")


class CampaignProgressCreateSerializer(serializers.Serializer):
    task = ScopedTaskField()
    school = SchoolField()
    note = serializers.CharField(max_length=4000)


class ReviewCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class ProgressFilter(django_filters.FilterSet):
    campaign = django_filters.NumberFilter(field_name="task__campaign")

    class Meta:
        model = TaskProgress
        fields = ["task", "school", "status", "campaign"]


class CampaignProgressViewSet(ServiceCreateMixin, mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Schools' reports on evidenced tasks. POST reports (files: on the page)."""

    queryset = TaskProgress.objects.all()
    serializer_class = CampaignProgressSerializer
    create_serializer_class = CampaignProgressCreateSerializer
    filterset_class = ProgressFilter
    policy_actions = {"return_": "review"}

    def get_queryset(self):
        return super().get_queryset().prefetch_related("files")

    def perform_service_create(self, data):
        return services.submit_progress(by=self.request.user, **data)

    @extend_schema(request=ReviewCommentSerializer, responses={200: CampaignProgressSerializer})
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        prog = self.get_object()
        ser = ReviewCommentSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        prog = services.return_progress(
            by=request.user, progress=prog, comment=ser.validated_data.get("comment", "")
        )
        return Response(CampaignProgressSerializer(prog).data)


class ArticleReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = ArticleReview
        fields = ["action", "comment", "by", "at"]


class ArticleSerializer(serializers.ModelSerializer):
    reviews = ArticleReviewSerializer(many=True, read_only=True)

    class Meta:
        model = Article
        fields = [
            "id",
            "campaign",
            "school",
            "title",
            "body",
            "state",
            "author",
            "submitted_at",
            "accepted_at",
            "booklet_order",
            "reviews",
        ]


@extend_schema_field(OpenApiTypes.INT)
class ScopedCampaignField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Campaign.objects.restrict(self.context["request"].user, "view")


class ArticleWriteSerializer(serializers.Serializer):
    campaign = ScopedCampaignField()
    school = SchoolField()
    title = serializers.CharField(max_length=120)
    body = serializers.CharField(max_length=60000, help_text="HTML；只保留段落、小标题、列表和加粗等")


class ArticleViewSet(ServiceCreateMixin, mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Experience articles. POST writes a draft; then ``submit``; the bureau ``return``s or ``accept``s."""

    queryset = Article.objects.all()
    serializer_class = ArticleSerializer
    create_serializer_class = ArticleWriteSerializer
    filterset_class = ArticleFilter
    policy_actions = {"submit": "change", "return_": "review", "accept": "review"}

    def get_queryset(self):
        return super().get_queryset().prefetch_related("reviews")

    def perform_service_create(self, data):
        return services.save_article(by=self.request.user, **data)

    @extend_schema(request=None, responses={200: ArticleSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return Response(
            ArticleSerializer(services.submit_article(by=request.user, article=self.get_object())).data
        )

    @extend_schema(request=ReviewCommentSerializer, responses={200: ArticleSerializer})
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        ser = ReviewCommentSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        a = services.return_article(
            by=request.user, article=self.get_object(), comment=ser.validated_data.get("comment", "")
        )
        return Response(ArticleSerializer(a).data)

    @extend_schema(request=ReviewCommentSerializer, responses={200: ArticleSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        ser = ReviewCommentSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        a = services.accept_article(
            by=request.user, article=self.get_object(), comment=ser.validated_data.get("comment", "")
        )
        return Response(ArticleSerializer(a).data)


def register(router) -> None:
    router.register("campaigns", CampaignViewSet, basename="campaign")
    router.register("campaign-tasks", CampaignTaskViewSet, basename="campaign-task")
    router.register("campaign-progress", CampaignProgressViewSet, basename="campaign-progress")
    router.register("articles", ArticleViewSet, basename="article")
