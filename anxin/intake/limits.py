"""Rate limits of the public pages (issue 4 item 7): per device and per school, no CAPTCHA.

A device is a browser's random signed cookie (``anxin_dev``, set when a public page is shown)
or, for the future WeChat mini-program, its ``X-Anxin-Device`` header. Nothing about the
device is stored with a report: the id only keys short-lived counters in the cache.
Clients sending neither share one strict bucket per school, so dropping cookies does not
escape the device limit. Rates are settings (``anxin.intake.conf``); the counters live in the
cache django-ratelimit is given (``RATELIMIT_USE_CACHE``, default "default") — a shared cache
such as Redis in production, so every gunicorn worker counts together.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django_ratelimit.core import get_usage

from anxin.intake import conf

DEVICE_COOKIE = "anxin_dev"
DEVICE_HEADER = "X-Anxin-Device"
_SALT = "anxin.intake.device"
_DEVICE_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def device_id(request) -> str | None:
    header = request.headers.get(DEVICE_HEADER, "")
    if header and _DEVICE_RE.match(header):
        return "h:" + header
    try:
        value = request.get_signed_cookie(DEVICE_COOKIE, salt=_SALT, default=None)
    except signing.BadSignature:
        value = None
    return "c:" + value if value else None


def ensure_device_cookie(request, response) -> None:
    """Give a browser its random device id (one year; HttpOnly; no personal data)."""
    if device_id(request) is None or DEVICE_COOKIE not in request.COOKIES:
        response.set_signed_cookie(
            DEVICE_COOKIE,
            secrets.token_urlsafe(18),
            salt=_SALT,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=getattr(settings, "HTTPS", False),
        )


@dataclass
class Verdict:
    limited: bool
    retry_after: int = 0  # seconds


def _usage(request, action: str, per: str, school_code: str, increment: bool):
    device = device_id(request)
    if per == "device":
        value = device or f"nodevice:{school_code}"
    else:
        value = f"school:{school_code}"
    return get_usage(
        request,
        group=f"intake:{action}:{per}",
        key=lambda _group, _request: value,
        rate=conf.rate(action, per),
        increment=increment,
    )


def hit(request, action: str, school_code: str) -> Verdict:
    """Count one request of ``action`` for this device and school; limited when either
    count is over its rate."""
    worst = Verdict(False)
    for per in ("device", "school"):
        usage = _usage(request, action, per, school_code, increment=True)
        if usage and usage["should_limit"]:
            worst = Verdict(True, max(worst.retry_after, usage["time_left"], 1))
    return worst


def over(request, action: str, school_code: str) -> Verdict:
    """Is the device or school already at its limit for ``action``? (counts nothing)"""
    worst = Verdict(False)
    for per in ("device", "school"):
        usage = _usage(request, action, per, school_code, increment=False)
        if usage and usage["count"] >= usage["limit"]:
            worst = Verdict(True, max(worst.retry_after, usage["time_left"], 1))
    return worst
