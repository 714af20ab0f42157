"""Problems and rectification (R-SCR-7)."""

from __future__ import annotations

from anxin.core.api import ScopedReadOnlyViewSet
from anxin.org.models import School
from anxin.screening import filters as f
from anxin.screening import services
from anxin.screening.api._common import (
    MS,
    ScopedPK,
    ServiceUpdateMixin,
    ServiceWriteMixin,
    StaffPK,
)
from anxin.screening.models import (
    HazardPoint,
    Rectification,
)


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


class RectificationViewSet(ServiceWriteMixin, ServiceUpdateMixin, ScopedReadOnlyViewSet):
    """问题整改台账 (R-SCR-7)."""

    queryset = Rectification.objects.all()
    serializer_class = RectificationSerializer
    create_serializer_class = RectificationWriteSerializer
    filterset_class = f.RectificationFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    policy_actions = {"create": "change", "partial_update": "change"}

    def perform_service_create(self, data):
        school = data.pop("school")
        return services.save_rectification(by=self.request.user, school=school, data=data)

    def service_update(self, obj, data):
        data.pop("school", None)
        return services.save_rectification(by=self.request.user, school=obj.school, data=data, item=obj)
