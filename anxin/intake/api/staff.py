"""Staff viewsets: the triage inbox (reports and their POST actions), the county inbox (hand-overs
to the bureau), raising a concern, and the emergency list.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from anxin.core.api import ScopedReadOnlyViewSet
from anxin.intake import services
from anxin.intake.filters import EmergencyFilter, ReportFilter
from anxin.intake.models import (
    EmergencyRequest,
    Report,
)

from .serializers import (
    AckInput,
    CloseInput,
    ConcernInput,
    EmergencySerializer,
    HandOnInput,
    LinkInput,
    MergeInput,
    OpenCaseInput,
    ReasonInput,
    ReplyInput,
    ReportDetailSerializer,
    ReportListSerializer,
    ReportRef,
    TransferInput,
    UrgencyInput,
    _county_school,
)


# --- staff viewsets ---------------------------------------------------------------------------
def _done(report) -> Response:
    return Response({"id": report.pk, "status": report.status})


class ReportViewSet(ScopedReadOnlyViewSet):
    """The triage inbox (R-RPT-4). Reading one item is an audited read (LAW 18)."""

    queryset = Report.objects.all()
    filterset_class = ReportFilter
    sensitive_retrieve = True
    select_related = ("school", "owner")
    policy_actions = {"open_case": "open_case"}

    def get_serializer_class(self):
        return ReportDetailSerializer if self.action == "retrieve" else ReportListSerializer

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "list":
            qs = qs.defer("text", "people", "contact", "place")
        return qs

    def _item(self):
        return self.get_object()

    def _run(self, fn):
        try:
            return fn()
        except DjangoValidationError as exc:
            return Response({"message": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)

    @extend_schema(request=None, responses=ReportRef)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        report = self._item()
        return self._run(lambda: _done(services.acknowledge(report, by=request.user)))

    @extend_schema(request=UrgencyInput, responses=ReportRef)
    @action(detail=True, methods=["post"])
    def urgency(self, request, pk=None):
        report = self._item()
        data = _valid(UrgencyInput, request)
        return self._run(lambda: _done(services.set_urgency(report, by=request.user, **data)))

    @extend_schema(request=CloseInput, responses=ReportRef)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        report = self._item()
        data = _valid(CloseInput, request)
        return self._run(
            lambda: _done(
                services.close(report, by=request.user, kind=data["close_kind"], reason=data["reason"])
            )
        )

    @extend_schema(request=ReasonInput, responses=ReportRef)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        report = self._item()
        data = _valid(ReasonInput, request)
        return self._run(lambda: _done(services.reopen(report, by=request.user, **data)))

    @extend_schema(request=MergeInput, responses=ReportRef)
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        report = self._item()
        data = _valid(MergeInput, request)
        target = get_object_or_404(Report.objects.restrict(request.user, "change"), pk=data["into"])
        return self._run(
            lambda: _done(services.merge(report, into=target, by=request.user, reason=data.get("reason", "")))
        )

    @extend_schema(request=LinkInput, responses=ReportRef)
    @action(detail=True, methods=["post"], url_path="link-student")
    def link_student(self, request, pk=None):
        report = self._item()
        data = _valid(LinkInput, request)
        student = _own_student(request, data["student"], "intake.link_student")
        return self._run(
            lambda: (
                services.link_students(report, by=request.user, links=[(student, data["party_role"])]),
                _done(report),
            )[1]
        )

    @extend_schema(request=ReplyInput, responses=ReportRef)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        report = self._item()
        data = _valid(ReplyInput, request)
        return self._run(
            lambda: (services.reply(report, by=request.user, body=data["body"]), _done(report))[1]
        )

    @extend_schema(
        request=OpenCaseInput,
        responses=inline_serializer(
            "IntakeCaseRef", {"id": serializers.IntegerField(), "case": serializers.IntegerField()}
        ),
    )
    @action(detail=True, methods=["post"], url_path="open-case")
    def open_case(self, request, pk=None):
        report = self._item()
        data = _valid(OpenCaseInput, request)

        def go():
            case = services.open_case(report, by=request.user, summary=data.get("summary", ""))
            return Response({"id": report.pk, "case": case.pk})

        return self._run(go)

    @extend_schema(request=TransferInput, responses=ReportRef)
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        """Hand the report to another school of the county, or up to the county inbox."""
        from anxin.intake import transfer

        report = self._item()
        data = _valid(TransferInput, request)
        school = _county_school(report, data["school"]) if data.get("school") else None
        return self._run(
            lambda: _done(transfer.transfer(report, by=request.user, reason=data["reason"], to_school=school))
        )


class CountyInboxViewSet(ScopedReadOnlyViewSet):
    """The county inbox (R-RPT-4): reports handed up to the county, for the bureau's safety
    staff to hand on to the right school. Reading one is an audited read (LAW 18)."""

    queryset = Report.objects.all()
    sensitive_retrieve = True
    select_related = ("school",)
    policy_actions = {"list": "county_inbox", "retrieve": "county_inbox", "hand_on": "county_inbox"}

    def get_serializer_class(self):
        return ReportDetailSerializer if self.action == "retrieve" else ReportListSerializer

    @extend_schema(request=HandOnInput, responses=ReportRef)
    @action(detail=True, methods=["post"], url_path="hand-on")
    def hand_on(self, request, pk=None):
        from anxin.intake import transfer

        report = self.get_object()
        data = _valid(HandOnInput, request)
        school = _county_school(report, data["school"])
        try:
            report = transfer.transfer(report, by=request.user, reason=data["reason"], to_school=school)
        except DjangoValidationError as exc:
            return Response({"message": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
        return _done(report)


def _own_student(request, pk, purpose: str):
    """A student in the caller's own scope; any other id is not found (audited as a denial)."""
    from anxin.roster import lookup

    student = lookup.resolve(request.user, pk, county_id=request.user.county_id, purpose=purpose)
    if student is None:
        raise Http404
    return student


def _valid(serializer_class, request) -> dict:
    s = serializer_class(data=request.data)
    s.is_valid(raise_exception=True)
    return s.validated_data


class ConcernViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Raise a concern about a student (R-RPT-3)."""

    policy_perm = "intake.concern.add"
    serializer_class = ConcernInput

    @extend_schema(request=ConcernInput, responses={201: ReportRef})
    def create(self, request, *args, **kwargs):
        from anxin.org.models import School

        data = _valid(ConcernInput, request)
        student = None
        if data.get("student"):
            student = _own_student(request, data["student"], "intake.concern")
            school = student.school
        elif data.get("school"):
            school = get_object_or_404(
                School.objects.restrict(request.user, "intake.concern.add"), pk=data["school"]
            )
        else:
            raise serializers.ValidationError({"school": [_("请指定学校或学生。")]})
        try:
            concern = services.raise_concern(
                by=request.user,
                school=school,
                text=data["text"],
                student=student,
                source=data["source"],
                place=data.get("place", ""),
            )
        except DjangoValidationError as exc:
            return Response({"message": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"id": concern.pk, "status": concern.status}, status=status.HTTP_201_CREATED)


class EmergencyViewSet(ScopedReadOnlyViewSet):
    """Emergency requests (R-RPT-2) and their acknowledgement."""

    queryset = EmergencyRequest.objects.all()
    serializer_class = EmergencySerializer
    filterset_class = EmergencyFilter
    select_related = ("school",)

    @extend_schema(request=AckInput, responses=EmergencySerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        em = self.get_object()
        data = _valid(AckInput, request)
        try:
            em = services.acknowledge_emergency(em, by=request.user, note=data.get("note", ""))
        except DjangoValidationError as exc:
            return Response({"message": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(EmergencySerializer(em).data)
