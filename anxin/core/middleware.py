"""Request id and audit context for every request."""

from __future__ import annotations

import re
import uuid

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
