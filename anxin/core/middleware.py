"""Request id and audit context for every request."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest

from anxin.core import audit

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9-]{8,36}$")


class RequestIdMiddleware:
    """Give each request an id (or keep a well-formed X-Request-ID set by our own proxy;
    a client's header is not trusted unless ANXIN_BEHIND_PROXY says a proxy sets it)."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.trust_header = settings.BEHIND_PROXY

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "") if self.trust_header else ""
        request.id = given if _REQUEST_ID_RE.match(given) else str(uuid.uuid4())
        token = audit.set_context(audit.AuditContext(actor="anonymous", request_id=request.id))
        try:
            response = self.get_response(request)
        finally:
            audit.reset_context(token)
        response["X-Request-ID"] = request.id
        return response


class AuditContextMiddleware:
    """After authentication: who acts, with which roles and scope, for the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            audit.set_context(audit.context_for_user(user, request.id))
        return self.get_response(request)


_NUL = "\x00"
_JSON_NUL = re.compile(rb"\\u0000")


# Checks that say a form post is too large to read here: the view taking it refuses it whole.
# An app taking uploads adds its check in its AppConfig.ready() (intake: the public report form's
# limit); core names no app.
REQUEST_TOO_LONG: list[Callable[[HttpRequest], bool]] = []


def register_too_long(check: Callable[[HttpRequest], bool]) -> None:
    if check not in REQUEST_TOO_LONG:
        REQUEST_TOO_LONG.append(check)


def _too_long(request) -> bool:
    return any(check(request) for check in REQUEST_TOO_LONG)


def _has_nul(values) -> bool:
    return any(_NUL in v for v in values if isinstance(v, str))


class RejectNulMiddleware:
    """A NUL character anywhere in what a client sends (path, query, form fields, a JSON body,
    cookies, headers) is refused with 400 before any view sees it: PostgreSQL cannot store or
    even compare text with NUL, and the query would fail with a 500. One guard for every page,
    form and API operation, public or staff."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._carries_nul(request):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _carries_nul(request) -> bool:
        if _NUL in request.path:
            return True
        for key, values in request.GET.lists():
            if _NUL in key or _has_nul(values):
                return True
        if _has_nul(request.COOKIES.values()) or _has_nul(request.COOKIES.keys()):
            return True
        if _has_nul(v for k, v in request.META.items() if k.startswith("HTTP_")):
            return True
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return False
        content_type = request.META.get("CONTENT_TYPE", "")
        if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
            if _too_long(request):
                return False  # refused unread by the view that takes uploads (intake conf)
            # parsed here once; Django and DRF reuse the parsed form. A malformed or
            # oversized form raises as it would in the view (a 400).
            for key, values in request.POST.lists():
                if _NUL in key or _has_nul(values):
                    return True
            return any(_NUL in (f.name or "") for f in request.FILES.values())
        try:
            body = request.body
        except Exception:  # noqa: BLE001 - too big: Django refuses it where it is read
            return False
        return b"\x00" in body or bool(_JSON_NUL.search(body))

    @staticmethod
    def _refuse(request):
        from django.http import HttpResponseBadRequest, JsonResponse
        from django.utils.translation import gettext as _

        message = _("提交的内容含有不允许的控制字符（NUL），没有处理。")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message, "message": message}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
