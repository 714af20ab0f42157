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

One module per area; every name is re-exported here:

- ``serializers``   — the staff side's serializers and action inputs
- ``staff``         — staff viewsets: triage inbox (reports), county inbox, concerns, emergencies
- ``public_common`` — the public side's inputs and outputs, JSON errors, the same-site/app check,
                      ``PublicParsersMixin`` (limits, parsers, the Chinese 503)
- ``public``        — public viewsets: reports, follow-up, places, device token, emergency help
- ``routes``        — ``register(router)``: the URLs under /api/v1/
"""

from __future__ import annotations

from .public import (
    DeviceToken,
    PublicDeviceViewSet,
    PublicEmergencyViewSet,
    PublicFollowUpViewSet,
    PublicPlaceViewSet,
    PublicReportViewSet,
)
from .public_common import (
    CLIENT_HEADER,
    EmergencyCreated,
    EmergencyInput,
    EmergencyStatusInput,
    EmergencyStatusOutput,
    FollowUpInput,
    FollowUpMessageInput,
    FollowUpThread,
    PublicError,
    PublicMessage,
    PublicParsersMixin,
    PublicPlace,
    PublicReportCreated,
    PublicReportInput,
    _err,
    _errors_of,
    _files,
    _limited,
    log,
    same_site_or_app,
)
from .routes import register
from .serializers import (
    AckInput,
    CloseInput,
    ConcernInput,
    EmergencySerializer,
    HandOnInput,
    LinkInput,
    MergeInput,
    MessageSerializer,
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
from .staff import (
    ConcernViewSet,
    CountyInboxViewSet,
    EmergencyViewSet,
    ReportViewSet,
    _done,
    _own_student,
    _valid,
)

__all__ = [
    "ReportListSerializer",
    "MessageSerializer",
    "ReportDetailSerializer",
    "UrgencyInput",
    "CloseInput",
    "ReasonInput",
    "MergeInput",
    "LinkInput",
    "ReplyInput",
    "TransferInput",
    "HandOnInput",
    "_county_school",
    "OpenCaseInput",
    "ConcernInput",
    "EmergencySerializer",
    "AckInput",
    "ReportRef",
    "_done",
    "ReportViewSet",
    "CountyInboxViewSet",
    "_own_student",
    "_valid",
    "ConcernViewSet",
    "EmergencyViewSet",
    "log",
    "PublicError",
    "PublicReportInput",
    "PublicPlace",
    "PublicReportCreated",
    "FollowUpInput",
    "FollowUpMessageInput",
    "PublicMessage",
    "FollowUpThread",
    "EmergencyInput",
    "EmergencyCreated",
    "EmergencyStatusInput",
    "EmergencyStatusOutput",
    "_err",
    "_limited",
    "_errors_of",
    "CLIENT_HEADER",
    "same_site_or_app",
    "PublicParsersMixin",
    "_files",
    "PublicReportViewSet",
    "PublicFollowUpViewSet",
    "PublicPlaceViewSet",
    "DeviceToken",
    "PublicDeviceViewSet",
    "PublicEmergencyViewSet",
    "register",
]
