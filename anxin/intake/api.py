"""REST API of the reporting channels (R-Q-3): the staff side under the same policy as the
pages, and documented public endpoints for a future WeChat mini-program.

Staff: ``/api/v1/intake/reports/`` (list without content; retrieve with content, audited;
triage actions as POST sub-resources calling the same services as the pages),
``/api/v1/intake/concerns/`` (raise a concern), ``/api/v1/intake/emergencies/``.

Public (no login, rate-limited per device and school): ``/api/v1/public/reports/``,
``/api/v1/public/followup/`` (+ ``messages/``), ``/api/v1/public/emergencies/`` (+ ``status/``).
The follow-up code travels in the body, never in a URL. A mini-program asks
``/api/v1/public/device/`` once per install for a signed device token and sends it in the
``X-Anxin-Device`` header; without a valid token (or while it is younger than the warm-up) a
client shares the school's small new-device pool (see ``limits``).
Every refusal is an explicit JSON error ``{"message": "…", "errors": {…}}``.
"""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, parsers, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError
from rest_framework.response import Response

from anxin.core.api import ScopedReadOnlyViewSet
from anxin.intake import codes, limits, services
from anxin.intake.data import Behaviour, Period, Place, Repeated, ReporterKind, Urgency
from anxin.intake.filters import EmergencyFilter, ReportFilter
from anxin.intake.models import (
    CONCERN_CHANNELS,
    Channel,
    CloseKind,
    EmergencyRequest,
    Report,
    ReportMessage,
    StudentRole,
)
from anxin.intake.public_views import get_public_school, public_status

log = logging.getLogger(__name__)


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


# --- public endpoints for the WeChat mini-program ------------------------------------------------
class PublicError(serializers.Serializer):
    message = serializers.CharField(help_text="给用户看的中文说明")
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)
    retry_after = serializers.IntegerField(required=False, help_text="限流时：多少秒后可再试")


class PublicReportInput(serializers.Serializer):
    school = serializers.CharField(max_length=16, help_text="学校公开编号（/s/<编号>/ 中的编号）")
    reporter_kind = serializers.ChoiceField(choices=ReporterKind.choices)
    behaviours = serializers.ListField(
        child=serializers.ChoiceField(choices=Behaviour.choices), required=False
    )
    text = serializers.CharField(help_text="发生了什么（必填）", trim_whitespace=True)
    spot = serializers.IntegerField(
        required=False, allow_null=True, help_text="本校地点编号（GET /api/v1/public/places/?school=… 列出）"
    )
    place_kind = serializers.ChoiceField(choices=Place.choices, required=False, allow_blank=True)
    place = serializers.CharField(required=False, allow_blank=True, help_text="具体地点")
    occurred_on = serializers.DateField(required=False, allow_null=True)
    occurred_period = serializers.ChoiceField(choices=Period.choices, required=False, allow_blank=True)
    repeated = serializers.ChoiceField(choices=Repeated.choices, required=False, allow_blank=True)
    people = serializers.CharField(required=False, allow_blank=True)
    contact = serializers.CharField(required=False, allow_blank=True)
    client_token = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="客户端为这次提交生成的随机串：网络重试时同一份举报只保存一次",
    )
    files = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="multipart 上传时：最多 5 个照片或短视频"
    )


class PublicPlace(serializers.Serializer):
    id = serializers.IntegerField(help_text="举报时作为 spot 提交")
    name = serializers.CharField()
    location = serializers.ChoiceField(choices=[("inside", "校内"), ("around", "校园周边")])


class PublicReportCreated(serializers.Serializer):
    reference = serializers.IntegerField(help_text="举报编号")
    followup_code = serializers.CharField(
        allow_null=True, help_text="跟进码，只返回这一次；重复提交时为 null"
    )
    duplicate = serializers.BooleanField()
    message = serializers.CharField()


class FollowUpInput(serializers.Serializer):
    school = serializers.CharField(max_length=16)
    code = serializers.CharField(max_length=40)


class FollowUpMessageInput(FollowUpInput):
    body = serializers.CharField(required=False, allow_blank=True)
    files = serializers.ListField(child=serializers.FileField(), required=False)


class PublicMessage(serializers.Serializer):
    sender = serializers.ChoiceField(choices=[("reporter", "举报人"), ("school", "学校")])
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    attachments = serializers.IntegerField()


class FollowUpThread(serializers.Serializer):
    reference = serializers.IntegerField()
    received_at = serializers.DateTimeField()
    status = serializers.CharField()
    messages = PublicMessage(many=True)


class EmergencyInput(serializers.Serializer):
    school = serializers.CharField(max_length=16)
    place = serializers.CharField(required=False, allow_blank=True)


class EmergencyCreated(serializers.Serializer):
    status_token = serializers.CharField(help_text="查看响应进展用，只返回这一次")
    message = serializers.CharField()


class EmergencyStatusInput(serializers.Serializer):
    school = serializers.CharField(max_length=16)
    token = serializers.CharField(max_length=64)


class EmergencyStatusOutput(serializers.Serializer):
    acknowledged = serializers.BooleanField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)


def _err(message: str, code: int, errors: dict | None = None, retry_after: int | None = None) -> Response:
    body: dict = {"message": message}
    if errors:
        body["errors"] = errors
    if retry_after:
        body["retry_after"] = retry_after
    response = Response(body, status=code)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def _limited(verdict) -> Response:
    return _err(
        _("操作太频繁，请稍后再试。如果情况紧急，请直接拨打学校电话或 110。"),
        429,
        retry_after=verdict.retry_after,
    )


def _errors_of(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


CLIENT_HEADER = "X-Anxin-Client"


def same_site_or_app(request) -> bool:
    """CSRF on the anonymous API: a browser on another site can post a multipart form
    without asking, but can neither send a custom header (that needs a CORS preflight we never
    grant) nor hide its Origin. So a request naming another site in ``Origin`` is refused, and
    a multipart post must carry ``X-Anxin-Client`` (the mini-program sets it on wx.uploadFile).
    JSON needs no header: a cross-site browser cannot send application/json without a
    preflight either."""
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        from urllib.parse import urlsplit

        if urlsplit(origin).netloc.lower() != request.get_host().lower():
            return False
    elif origin == "null":
        return False
    if request.content_type.startswith("multipart/"):
        return bool(request.headers.get(CLIENT_HEADER, "").strip())
    return True


class PublicParsersMixin:
    """JSON (``application/json``) or multipart; an unreadable body is an explicit Chinese
    error, and nothing is accepted as a browser form post (no cross-site form submission)."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser]

    def _data(self, request, serializer_class):
        from anxin.intake.public_views import content_too_long

        if not same_site_or_app(request):
            return None, _err(_("请在安心校园小程序或学校的举报页面提交。"), 403)
        if content_too_long(request):
            return None, _err(_("提交的内容太大，没有保存。"), 413)
        try:
            s = serializer_class(data=request.data)
            ok = s.is_valid()
        except (RequestDataTooBig, TooManyFieldsSent):
            return None, _err(_("提交的内容太大，没有保存。"), 413)
        except ParseError:
            return None, _err(_("提交的内容格式不正确（须为 UTF-8 编码的 JSON），没有保存。"), 400)
        if not ok:
            return None, _err(
                _("填写的内容有误，没有保存。"),
                400,
                errors={k: [str(m) for m in v] for k, v in s.errors.items()},
            )
        return s.validated_data, None

    def handle_exception(self, exc):
        """An unexpected error is a plain Chinese 503 pointing to the phones, never a bare 500."""
        from django.core.exceptions import PermissionDenied
        from django.http import Http404
        from rest_framework.exceptions import APIException

        if isinstance(exc, APIException | Http404 | PermissionDenied):
            return super().handle_exception(exc)
        log.exception("public API %s failed", type(self).__name__)
        return _err(
            _("系统暂时出了问题，刚才的操作可能没有成功，请稍后重试。情况紧急请直接拨打学校电话或 110。"),
            503,
            retry_after=5,
        )

    def _school(self, code: str):
        from django.http import Http404

        try:
            return get_public_school(code), None
        except Http404:
            return None, _err(_("找不到这所学校，请核对二维码或链接。"), 404)


def _files(request) -> list:
    return request.FILES.getlist("files") if hasattr(request, "FILES") else []


class PublicReportViewSet(PublicParsersMixin, viewsets.ViewSet):
    """Submit an anonymous report (R-RPT-1). No login; no device data stored."""

    @extend_schema(
        request={"application/json": PublicReportInput, "multipart/form-data": PublicReportInput},
        responses={
            201: PublicReportCreated,
            200: PublicReportCreated,
            400: PublicError,
            403: PublicError,
            404: PublicError,
            413: PublicError,
            429: PublicError,
            503: PublicError,
        },
        parameters=[
            OpenApiParameter(
                limits.DEVICE_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=False,
                description="POST /api/v1/public/device/ 取得的签名设备号（用于限流，不保存）",
            )
        ],
        tags=["public"],
    )
    def create(self, request):
        data, error = self._data(request, PublicReportInput)
        if error:
            return error
        school, error = self._school(data["school"])
        if error:
            return error
        verdict = limits.hit(request, "report", school.public_code)
        if verdict.limited:
            return _limited(verdict)
        fields = {k: v for k, v in data.items() if k not in ("school", "client_token", "files")}
        try:
            result = services.submit_report(
                school=school,
                data=fields,
                files=_files(request),
                channel=Channel.MINIAPP,
                submission_token=data.get("client_token") or None,
            )
        except DjangoValidationError as exc:
            return _err(_("填写的内容有误，没有保存。"), 400, errors=_errors_of(exc))
        except DatabaseError:
            log.exception("report submission (API) failed for school %s", school.pk)
            return _err(_("提交没有成功：系统暂时无法保存，举报没有被保存，请稍后重试。"), 503, retry_after=5)
        body = {
            "reference": result.report.pk,
            "followup_code": result.code,
            "duplicate": result.duplicate,
            "message": _("这份举报已经提交过了。")
            if result.duplicate
            else _("举报已提交。请记下跟进码，它只显示这一次。"),
        }
        response = Response(body, status=status.HTTP_200_OK if result.duplicate else status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response


class PublicFollowUpViewSet(PublicParsersMixin, viewsets.ViewSet):
    """Read the school's replies with the follow-up code; add information or evidence."""

    def _report(self, request, data):
        school, error = self._school(data["school"])
        if error:
            return None, error
        # per device and per code guessed, never per school: see ``limits``
        guessed = codes.normalise(data["code"])
        verdict = limits.check(request, "followup_fail", school.public_code, code=guessed)
        if not verdict.limited:
            verdict = limits.hit(request, "followup", school.public_code)
        if verdict.limited:
            return None, _limited(verdict)
        report = services.find_by_code(school, data["code"])
        if report is None:
            limits.count(request, "followup_fail", school.public_code, code=guessed)
            return None, _err(_("跟进码不正确。"), 404)
        return report, None

    def _thread(self, report, code=200) -> Response:
        msgs = services.thread(report)
        body = {
            "reference": report.pk,
            "received_at": report.created_at,
            "status": public_status(report),
            "messages": [
                {
                    "sender": m.sender,
                    "body": m.body,
                    "created_at": m.created_at,
                    "attachments": len(m.attachments.all()),
                }
                for m in msgs
            ],
        }
        response = Response(FollowUpThread(body).data, status=code)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(
        request=FollowUpInput,
        responses={
            200: FollowUpThread,
            400: PublicError,
            403: PublicError,
            404: PublicError,
            429: PublicError,
        },
        tags=["public"],
    )
    def create(self, request):
        data, error = self._data(request, FollowUpInput)
        if error:
            return error
        report, error = self._report(request, data)
        return error or self._thread(report)

    @extend_schema(
        request={"application/json": FollowUpMessageInput, "multipart/form-data": FollowUpMessageInput},
        responses={
            201: FollowUpThread,
            400: PublicError,
            403: PublicError,
            404: PublicError,
            429: PublicError,
            503: PublicError,
        },
        tags=["public"],
    )
    @action(detail=False, methods=["post"])
    def messages(self, request):
        data, error = self._data(request, FollowUpMessageInput)
        if error:
            return error
        report, error = self._report(request, data)
        if error:
            return error
        verdict = limits.hit(request, "message", report.school.public_code, report_id=report.pk)
        if verdict.limited:
            return _limited(verdict)
        try:
            services.add_reporter_message(report, body=data.get("body", ""), files=_files(request))
        except DjangoValidationError as exc:
            return _err(_("补充内容有误，没有保存。"), 400, errors=_errors_of(exc))
        except DatabaseError:
            log.exception("follow-up message (API) failed for report %s", report.pk)
            return _err(_("提交没有成功：系统暂时无法保存，请稍后重试。"), 503, retry_after=5)
        return self._thread(report, code=201)


class PublicPlaceViewSet(PublicParsersMixin, viewsets.ViewSet):
    """The school's own places a reporter may pick (names only), for the report form's "where"."""

    @extend_schema(
        parameters=[OpenApiParameter("school", OpenApiTypes.STR, required=True, description="学校公开编号")],
        responses={200: PublicPlace(many=True), 404: PublicError},
        tags=["public"],
    )
    def list(self, request):
        school, error = self._school(request.query_params.get("school", "")[:16])
        if error:
            return error
        places = [
            {"id": p.pk, "name": p.name, "location": p.location} for p in services.school_places(school)
        ]
        return Response(PublicPlace(places, many=True).data)


class DeviceToken(serializers.Serializer):
    device_token = serializers.CharField(help_text="以后每次请求放在 X-Anxin-Device 头中（不含个人信息）")
    established_in = serializers.IntegerField(help_text="多少秒后这个设备号获得自己的提交额度")


class PublicDeviceViewSet(PublicParsersMixin, viewsets.ViewSet):
    """A signed device token for the per-device limits (no personal data; nothing stored)."""

    @extend_schema(request=None, responses={201: DeviceToken}, tags=["public"])
    def create(self, request):
        from anxin.intake import conf

        response = Response(
            {"device_token": limits.issue_token(), "established_in": conf.device_warmup_seconds()},
            status=status.HTTP_201_CREATED,
        )
        response["Cache-Control"] = "no-store"
        return response


class PublicEmergencyViewSet(PublicParsersMixin, viewsets.ViewSet):
    """One-tap emergency help (R-RPT-2)."""

    @extend_schema(
        request=EmergencyInput,
        responses={
            201: EmergencyCreated,
            400: PublicError,
            403: PublicError,
            404: PublicError,
            429: PublicError,
            503: PublicError,
        },
        tags=["public"],
    )
    def create(self, request):
        data, error = self._data(request, EmergencyInput)
        if error:
            return error
        school, error = self._school(data["school"])
        if error:
            return error
        # never refused: over the limits it still reaches the duty leader, flagged
        suspect = limits.hit(request, "emergency", school.public_code).limited
        try:
            _em, token = services.raise_emergency(
                school=school, place=data.get("place", ""), channel=Channel.MINIAPP, suspect=suspect
            )
        except DjangoValidationError as exc:
            return _err(_("内容有误。"), 400, errors=_errors_of(exc))
        except DatabaseError:
            log.exception("emergency (API) failed for school %s", school.pk)
            return _err(_("求救没有发出去，请立即拨打学校电话或 110！"), 503)
        return Response(
            {"status_token": token, "message": _("已通知学校值班领导。")}, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=EmergencyStatusInput,
        responses={200: EmergencyStatusOutput, 400: PublicError, 403: PublicError, 404: PublicError},
        tags=["public"],
    )
    @action(detail=False, methods=["post"])
    def status(self, request):
        data, error = self._data(request, EmergencyStatusInput)
        if error:
            return error
        school, error = self._school(data["school"])
        if error:
            return error
        em = services.emergency_by_token(school, data["token"])
        if em is None:
            return _err(_("找不到这条求救。"), 404)
        return Response(
            {"acknowledged": em.acknowledged_at is not None, "acknowledged_at": em.acknowledged_at}
        )


def register(router) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    router.register("intake/reports", ReportViewSet, basename="intake-report")
    router.register("intake/county-inbox", CountyInboxViewSet, basename="intake-county-inbox")
    router.register("intake/concerns", ConcernViewSet, basename="intake-concern")
    router.register("intake/emergencies", EmergencyViewSet, basename="intake-emergency")
    router.register("public/reports", PublicReportViewSet, basename="public-report")
    router.register("public/followup", PublicFollowUpViewSet, basename="public-followup")
    router.register("public/emergencies", PublicEmergencyViewSet, basename="public-emergency")
    router.register("public/places", PublicPlaceViewSet, basename="public-place")
    router.register("public/device", PublicDeviceViewSet, basename="public-device")
