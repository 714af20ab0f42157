from rest_framework import serializers

from anxin.core.api import ScopedReadOnlyViewSet
from anxin.core.models import AuditEvent
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
