"""The public endpoints' shared pieces: documented inputs and outputs, explicit JSON errors, the
same-site-or-app check, and ``PublicParsersMixin`` (rate limits, parsers, the Chinese 503).
"""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import parsers, permissions, serializers
from rest_framework.exceptions import ParseError
from rest_framework.response import Response

from anxin.intake.data import Behaviour, Period, Place, Repeated, ReporterKind
from anxin.intake.public_views import get_public_school

log = logging.getLogger("anxin.intake.api")  # the name it had as one module


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
