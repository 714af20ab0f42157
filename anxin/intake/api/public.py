"""Public endpoints for the WeChat mini-program (no login, rate-limited): reports, follow-up by
code, the school's places, the device token, and emergency help.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from anxin.intake import codes, limits, services
from anxin.intake.models import (
    Channel,
)
from anxin.intake.public_views import public_status

from .public_common import (
    EmergencyCreated,
    EmergencyInput,
    EmergencyStatusInput,
    EmergencyStatusOutput,
    FollowUpInput,
    FollowUpMessageInput,
    FollowUpThread,
    PublicError,
    PublicParsersMixin,
    PublicPlace,
    PublicReportCreated,
    PublicReportInput,
    _err,
    _errors_of,
    _files,
    _limited,
    log,
)


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
