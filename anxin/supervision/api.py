"""REST API of this app (R-Q-3): the same rows as the pages (the policy's scope, plus a joint
inspection's team and a referral's recipient, ``access``), writes through the same services.

- ``supervision-checklist``: the county's checklist (the bureau adds items);
- ``supervision-visits``: visits with their scores; ``scores`` saves scores and findings,
  ``complete`` completes the visit;
- ``supervision-rectifications``: rectification items; ``respond`` (the school), ``review``
  (the supervisor: accept or send back);
- ``joint-inspections``: joint inspections with team and schools;
- ``partner-units``: the county's partner units with their contacts;
- ``referrals``: referrals; ``outcome`` records the outcome (the recipient).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from anxin.core import audit, policy
from anxin.core.api import ScopedReadOnlyViewSet
from anxin.core.editing import ServiceCreateMixin
from anxin.supervision import access, services
from anxin.supervision.models import (
    ChecklistItem,
    Inspection,
    PartnerContact,
    PartnerUnit,
    RectificationItem,
    Referral,
    Score,
    TeamMember,
    Visit,
)


class AnyOf(permissions.BasePermission):
    """The view's ``perms``: the user holds one of them somewhere (rows: the view's queryset;
    writes: the services)."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        if any(policy.can(request.user, p) for p in view.perms):
            return True
        audit.append("denied", result="denied", data={"perm": view.perms[0], "path": request.path[:200]})
        return False


class _Base(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AnyOf]
    perms: tuple[str, ...] = ()


# --- checklist -----------------------------------------------------------------------------------


class SupervisionItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistItem
        fields = ["id", "category", "text", "weight", "position", "active"]


class ChecklistItemViewSet(ServiceCreateMixin, mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    queryset = ChecklistItem.objects.all()
    serializer_class = SupervisionItemSerializer
    create_serializer_class = SupervisionItemSerializer

    def get_queryset(self):
        from anxin.supervision.checklist import ensure_checklist

        if self.request.user.county_id:
            ensure_checklist(self.request.user.county_id)
        return super().get_queryset()

    def perform_service_create(self, data):
        return services.save_item(self.request.user, self.request.user.county_id, data)


# --- visits ----------------------------------------------------------------------------------------


class ScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = Score
        fields = ["id", "category", "text", "weight", "score", "note"]


class VisitSerializer(serializers.ModelSerializer):
    scores = ScoreSerializer(many=True, read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "school",
            "inspection",
            "supervisor",
            "planned_on",
            "visited_on",
            "purpose",
            "status",
            "findings",
            "strengths",
            "total",
            "full",
            "completed_at",
            "scores",
        ]


class ScoreInSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    score = serializers.CharField(allow_blank=True, max_length=8)
    note = serializers.CharField(allow_blank=True, required=False, max_length=300)


class ScoresInSerializer(serializers.Serializer):
    scores = ScoreInSerializer(many=True)
    findings = serializers.CharField(allow_blank=True, required=False, max_length=4000)
    strengths = serializers.CharField(allow_blank=True, required=False, max_length=2000)
    visited_on = serializers.DateField(required=False)


class VisitViewSet(_Base):
    serializer_class = VisitSerializer
    perms = ("supervision.visit.view", "supervision.inspection.join")
    queryset = Visit.objects.none()

    def get_queryset(self):
        return access.visits(self.request.user).prefetch_related("scores").order_by("-planned_on", "-id")

    @extend_schema(request=ScoresInSerializer, responses=VisitSerializer)
    @action(detail=True, methods=["post"])
    def scores(self, request, pk=None):
        visit = self.get_object()
        ser = ScoresInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        values = {s["id"]: (s["score"], s.get("note", "")) for s in d["scores"]}
        data = {k: d[k] for k in ("findings", "strengths", "visited_on") if k in d}
        services.save_scores(request.user, visit, values, data)
        return Response(VisitSerializer(Visit.objects.get(pk=visit.pk)).data)

    @extend_schema(request=None, responses=VisitSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        visit = services.complete_visit(request.user, self.get_object())
        return Response(VisitSerializer(visit).data)


# --- rectifications ----------------------------------------------------------------------------------


class SupervisionRectificationSerializer(serializers.ModelSerializer):
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = RectificationItem
        fields = [
            "id",
            "school",
            "visit",
            "problem",
            "requirement",
            "due_date",
            "status",
            "action_taken",
            "submitted_at",
            "review_note",
            "reviewed_at",
            "returns",
            "evidence",
        ]

    def get_evidence(self, obj) -> list[str]:
        return [e.original_name for e in obj.evidence.all()]


class RespondSerializer(serializers.Serializer):
    action_taken = serializers.CharField(max_length=2000)
    submit = serializers.BooleanField(default=False)


class SupervisionReviewSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    note = serializers.CharField(max_length=1000, allow_blank=True, required=False)


class RectificationViewSet(_Base):
    serializer_class = SupervisionRectificationSerializer
    perms = ("supervision.rectificationitem.view", "supervision.inspection.join")
    queryset = RectificationItem.objects.none()

    def get_queryset(self):
        return (
            access.rectifications(self.request.user)
            .prefetch_related("evidence")
            .order_by("status", "due_date", "id")
        )

    @extend_schema(request=RespondSerializer, responses=SupervisionRectificationSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        item = self.get_object()
        ser = RespondSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        if d["submit"]:
            item = services.submit_response(request.user, item, action_taken=d["action_taken"])
        else:
            item = services.save_response(request.user, item, action_taken=d["action_taken"])
        return Response(SupervisionRectificationSerializer(item).data)

    @extend_schema(request=SupervisionReviewSerializer, responses=SupervisionRectificationSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        ser = SupervisionReviewSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        item = services.review(request.user, self.get_object(), **ser.validated_data)
        return Response(SupervisionRectificationSerializer(item).data)


# --- joint inspections ----------------------------------------------------------------------------------


class TeamMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = TeamMember
        fields = ["id", "user", "name", "unit", "duty"]


class InspectionSerializer(serializers.ModelSerializer):
    team = TeamMemberSerializer(many=True, read_only=True)
    schools = serializers.SerializerMethodField()

    class Meta:
        model = Inspection
        fields = ["id", "title", "starts_on", "ends_on", "status", "lead", "units", "team", "schools"]

    def get_schools(self, obj) -> list[dict]:
        return [
            {"visit": v.pk, "school": v.school_id, "status": v.status, "total": v.total}
            for v in obj.visits.all()
        ]


class InspectionViewSet(_Base):
    serializer_class = InspectionSerializer
    perms = ("supervision.inspection.view", "supervision.inspection.join")
    queryset = Inspection.objects.none()

    def get_queryset(self):
        return (
            access.inspections(self.request.user)
            .prefetch_related("team", "units", "visits")
            .order_by("-starts_on", "-id")
        )


# --- partner units and referrals -----------------------------------------------------------------------


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartnerContact
        fields = ["id", "name", "title", "phone", "user"]


class PartnerUnitSerializer(serializers.ModelSerializer):
    contacts = ContactSerializer(many=True, read_only=True)

    class Meta:
        model = PartnerUnit
        fields = ["id", "kind", "name", "phone", "address", "active", "contacts"]


class PartnerUnitViewSet(ScopedReadOnlyViewSet):
    queryset = PartnerUnit.objects.all()
    serializer_class = PartnerUnitSerializer

    def get_queryset(self):
        return super().get_queryset().prefetch_related("contacts")


class ReferralSerializer(serializers.ModelSerializer):
    class Meta:
        model = Referral
        fields = [
            "id",
            "school",
            "unit",
            "contact",
            "recipient",
            "reason",
            "student",
            "child",
            "details",
            "request",
            "respond_by",
            "status",
            "received_at",
            "outcome",
            "outcome_at",
        ]


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=2000)


class ReferralViewSet(_Base):
    serializer_class = ReferralSerializer
    perms = ("supervision.referral.view", "supervision.referral.respond")
    queryset = Referral.objects.none()

    def get_queryset(self):
        return access.referrals(self.request.user).order_by("status", "respond_by", "-id")

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        audit.append(
            "read", object_type="supervision.referral", object_id=kwargs.get("pk", ""), data={"via": "api"}
        )
        return response

    @extend_schema(request=OutcomeSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        ser = OutcomeSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        r = services.record_outcome(request.user, self.get_object(), **ser.validated_data)
        return Response(ReferralSerializer(r).data)


def register(router) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    router.register("supervision-checklist", ChecklistItemViewSet, basename="supervision-checklist")
    router.register("supervision-visits", VisitViewSet, basename="supervision-visit")
    router.register("supervision-rectifications", RectificationViewSet, basename="supervision-rectification")
    router.register("joint-inspections", InspectionViewSet, basename="joint-inspection")
    router.register("partner-units", PartnerUnitViewSet, basename="partner-unit")
    router.register("referrals", ReferralViewSet, basename="referral")
