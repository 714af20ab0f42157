"""The staff side's serializers: inbox rows without content, the audited detail, and the inputs of
the triage actions, concerns and emergency acknowledgements.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from anxin.intake.data import Urgency
from anxin.intake.models import (
    CONCERN_CHANNELS,
    Channel,
    CloseKind,
    EmergencyRequest,
    Report,
    ReportMessage,
    StudentRole,
)


# --- serializers ------------------------------------------------------------------------------
class ReportListSerializer(serializers.ModelSerializer):
    """A row of the inbox: no content (the content is read, audited, one item at a time)."""

    channel_display = serializers.CharField(source="get_channel_display", read_only=True)
    status = serializers.CharField(
        read_only=True, help_text="new 待受理 / open 处理中 / case 已立案 / merged 已合并 / closed 已办结"
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "school",
            "channel",
            "channel_display",
            "reporter_kind",
            "behaviours",
            "hint_words",
            "status",
            "status_display",
            "urgency",
            "owner",
            "acknowledged_at",
            "merged_into",
            "closed_at",
            "close_kind",
            "case_id",
            "awaiting_reply",
            "created_at",
        ]


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportMessage
        fields = ["id", "sender", "body", "author", "created_at"]


class ReportDetailSerializer(ReportListSerializer):
    messages = MessageSerializer(many=True, read_only=True)
    attachments = serializers.SerializerMethodField()
    spot_name = serializers.CharField(
        source="spot.name", read_only=True, default=None, allow_null=True, help_text="学校地点"
    )

    class Meta(ReportListSerializer.Meta):
        fields = ReportListSerializer.Meta.fields + [
            "text",
            "spot",
            "spot_name",
            "place_kind",
            "place",
            "occurred_on",
            "occurred_period",
            "repeated",
            "people",
            "contact",
            "student",
            "raised_by",
            "flagged_from_type",
            "flagged_from_id",
            "close_reason",
            "messages",
            "attachments",
        ]

    def get_attachments(self, obj) -> list[dict]:
        return [
            {"id": a.pk, "kind": a.kind, "mime": a.mime, "size": a.size, "message": a.message_id}
            for a in obj.attachments.all()
        ]


class UrgencyInput(serializers.Serializer):
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class CloseInput(serializers.Serializer):
    close_kind = serializers.ChoiceField(choices=CloseKind.choices)
    reason = serializers.CharField(max_length=2000)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class MergeInput(serializers.Serializer):
    into = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class LinkInput(serializers.Serializer):
    student = serializers.IntegerField(min_value=1)
    party_role = serializers.ChoiceField(choices=StudentRole.choices)


class ReplyInput(serializers.Serializer):
    body = serializers.CharField()


class TransferInput(serializers.Serializer):
    school = serializers.IntegerField(
        required=False, allow_null=True, help_text="本县另一所学校的编号；不填或 null 表示上交县级收件箱"
    )
    reason = serializers.CharField(max_length=2000)


class HandOnInput(serializers.Serializer):
    school = serializers.IntegerField(help_text="转交给本县哪所学校")
    reason = serializers.CharField(max_length=2000)


def _county_school(report, pk):
    from anxin.org.models import School

    return get_object_or_404(School.objects.filter(county_id=report.county_id, active=True), pk=pk)


class OpenCaseInput(serializers.Serializer):
    summary = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ConcernInput(serializers.Serializer):
    school = serializers.IntegerField(min_value=1, required=False)
    student = serializers.IntegerField(min_value=1, required=False)
    source = serializers.ChoiceField(
        choices=[(c, Channel(c).label) for c in sorted(CONCERN_CHANNELS)], default=Channel.STAFF
    )
    text = serializers.CharField()
    place = serializers.CharField(required=False, allow_blank=True, max_length=100)


class EmergencySerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="open 待响应 / acknowledged 已响应")

    class Meta:
        model = EmergencyRequest
        fields = [
            "id",
            "school",
            "place",
            "status",
            "level",
            "created_at",
            "escalated_principal_at",
            "escalated_bureau_at",
            "acknowledged_at",
            "acknowledged_by",
            "ack_note",
            "suspect",
        ]


class AckInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


ReportRef = inline_serializer(
    "IntakeReportRef", {"id": serializers.IntegerField(), "status": serializers.CharField()}
)
