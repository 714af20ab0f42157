from django.utils.translation import gettext_lazy
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from anxin.core.api import ScopedReadOnlyViewSet
from anxin.core.audit import HASHED_FIELDS
from anxin.core.home import MAX_CHASE_AT_ONCE
from anxin.core.models import AuditEvent, Delivery
from anxin.core.notifications_views import DeliveryFilter
from anxin.core.views import AuditFilter


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        # what the chain hashes (audit.HASHED_FIELDS), with the row's id and its links
        fields = ["id", *HASHED_FIELDS, "prev_hash", "hash"]


class AuditEventViewSet(ScopedReadOnlyViewSet):
    """The audit trail, for the auditor (county) and a safety leader (own school)."""

    queryset = AuditEvent.objects.all()
    serializer_class = AuditEventSerializer
    filterset_class = AuditFilter
    ordering = ("-at", "-id")


class DutySerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="类别，如 screening.class、cases.first_report")
    title = serializers.CharField(help_text="事项")
    detail = serializers.CharField(help_text="说明", allow_blank=True)
    state = serializers.ChoiceField(
        choices=["overdue", "due_soon", "new", "open"],
        help_text="overdue 已逾期、due_soon 本周到期、new 新消息、open 其他",
    )
    due = serializers.DateTimeField(allow_null=True, help_text="到期时间（日期型期限为当天 23:59:59）")
    due_text = serializers.CharField(allow_blank=True, help_text="如“已逾期 3 天”")
    owner = serializers.CharField(allow_blank=True, help_text="责任人或岗位")
    mine = serializers.BooleanField(help_text="是否由本人承担")
    url = serializers.CharField(help_text="办理这项工作的网页地址")
    action = serializers.CharField(allow_blank=True, help_text="按钮文字，如“去排查”")
    ref = serializers.CharField(allow_blank=True, help_text="事项标识（催办时提交）")
    can_chase = serializers.BooleanField(help_text="当前用户可否催办")
    chased_at = serializers.DateTimeField(allow_null=True, help_text="最近一次催办时间")


class FigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField(help_text="指标名称，如“本班排查”")
    value = serializers.CharField(help_text="数值（百分比带 %）")
    url = serializers.CharField(help_text="列出这些记录的网页地址（已筛选）")
    alert = serializers.BooleanField(help_text="需要注意时为 true")
    note = serializers.CharField(allow_blank=True)


class HomeSerializer(serializers.Serializer):
    duties = DutySerializer(many=True)
    figures = FigureSerializer(many=True)


_ASK_REFS = gettext_lazy("请提交要催办事项的 ref 列表。")


class ChaseSerializer(serializers.Serializer):
    refs = serializers.ListField(
        child=serializers.CharField(max_length=200),
        allow_empty=False,
        max_length=MAX_CHASE_AT_ONCE,
        error_messages={
            "required": _ASK_REFS,
            "null": _ASK_REFS,
            "empty": _ASK_REFS,
            "not_a_list": _ASK_REFS,
            "max_length": gettext_lazy("一次最多催办 {max_length} 项。"),
        },
        help_text="要催办事项的 ref（工作台每项的 ref，可多项；表单提交时重复 refs 字段）",
    )


class ChasedSerializer(serializers.Serializer):
    chased = serializers.ListField(child=serializers.CharField(), help_text="已催办事项的 ref")
    notified = serializers.IntegerField(help_text="已通知人数")
    refused = serializers.ListField(child=serializers.CharField(), help_text="未催办的原因及项数")


class _OneObjectSchema(AutoSchema):
    """工作台 answers one object (duties and figures), not a list, although it is the
    router's list route."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


class HomeViewSet(viewsets.ViewSet):
    """工作台: the user's duties, most urgent first, and the figures the role is judged by —
    the same as the home page, for a phone app."""

    permission_classes = [permissions.IsAuthenticated]
    schema = _OneObjectSchema()

    @extend_schema(responses=HomeSerializer)
    def list(self, request):
        from anxin.core import clock, duties
        from anxin.core import home as homepage

        user = request.user
        now = clock.now()
        duties.last_seen(user)
        rows = homepage.rows_for(user, now)
        figures = duties.figures_for(user, now, cached=True)
        duties.mark_seen(user, now)
        data = {
            "duties": [
                {
                    "kind": r.duty.kind,
                    "title": r.duty.title,
                    "detail": r.duty.detail,
                    "state": r.state,
                    "due": r.duty.due_at(),
                    "due_text": r.due_text,
                    "owner": r.duty.owner,
                    "mine": r.mine,
                    "url": r.duty.url,
                    "action": r.duty.action,
                    "ref": r.duty.ref,
                    "can_chase": r.can_chase and not r.chased_today,
                    "chased_at": r.chased_at,
                }
                for r in rows
            ],
            "figures": [
                {
                    "key": f.key,
                    "label": str(f.label),
                    "value": str(f.value),
                    "url": f.url,
                    "alert": f.alert,
                    "note": str(f.note),
                }
                for f in figures
            ],
        }
        return Response(HomeSerializer(data).data)

    @extend_schema(
        request=ChaseSerializer,
        responses=ChasedSerializer,  # (400: the refs' errors, or why none could be chased)
    )
    @action(detail=False, methods=["post"], url_path="chase")
    def chase(self, request):
        """催办 others' overdue duties the caller sees (as on 工作台: once a duty a day, each
        audited); 400 with the reasons under ``refs`` when none could be chased (or ``refs`` is
        not a list of refs)."""
        from anxin.core import home as homepage

        asked = ChaseSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        try:
            made, refused = homepage.chase_many(request.user, asked.validated_data["refs"])
        except homepage.Refused as exc:
            made, refused = [], [str(exc)]
        if not made:
            raise serializers.ValidationError({"refs": refused})
        body = {
            "chased": [c.ref for c in made],
            "notified": sum(len(c.recipients) for c in made),
            "refused": refused,
        }
        return Response(body)


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
    filterset_class = DeliveryFilter  # newest first: the model's own ordering
