from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response

from anxin.core.api import ScopedReadOnlyViewSet
from anxin.core.models import AuditEvent, Delivery
from anxin.core.notifications_views import DeliveryFilter
from anxin.core.views import AuditFilter


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "stream",
            "seq",
            "at",
            "county_id",
            "school_id",
            "actor_id",
            "actor",
            "role",
            "actor_scope",
            "action",
            "object_type",
            "object_id",
            "result",
            "request_id",
            "data",
            "prev_hash",
            "hash",
        ]


class AuditEventViewSet(ScopedReadOnlyViewSet):
    """The audit trail, for the auditor (county) and a safety leader (own school)."""

    queryset = AuditEvent.objects.all()
    serializer_class = AuditEventSerializer
    filterset_class = AuditFilter

    def get_queryset(self):
        return super().get_queryset().order_by("-at", "-id")


class WaitingCardSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="卡片名称，如“待受理的举报”")
    n = serializers.IntegerField(help_text="数量（仅本人范围内）")
    url = serializers.CharField(help_text="网页上列出这些记录的地址（已筛选）")
    alert = serializers.BooleanField(help_text="有待办事项时为 true")


class HomeViewSet(viewsets.ViewSet):
    """工作台“待办”: what waits for the user in each module, counted within the user's scope —
    the same cards as the home page, for a phone app."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=WaitingCardSerializer(many=True))
    def list(self, request):
        from anxin.core.nav import home_cards

        cards = [
            {
                "label": str(c.label),
                "n": c.n,
                "url": reverse(c.url_name) + c.query,
                "alert": bool(c.alert and c.n),
            }
            for c in home_cards(request.user)
        ]
        return Response(WaitingCardSerializer(cards, many=True).data)


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = [
            "id",
            "created_at",
            "county_id",
            "school_id",
            "channel",
            "target",
            "title",
            "urgent",
            "status",
            "attempts",
            "next_try",
            "last_error",
            "sent_at",
            "notification",
        ]


class DeliveryViewSet(ScopedReadOnlyViewSet):
    """发送记录: e-mail, SMS and group-robot messages with their attempts (administrator, auditor)."""

    queryset = Delivery.objects.all()
    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilter

    def get_queryset(self):
        return super().get_queryset().order_by("-created_at", "-id")
