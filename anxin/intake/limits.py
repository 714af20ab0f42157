"""Rate limits of the public pages (issue 4 item 7; issue 9): no CAPTCHA, no IP address, and
no limit that a stranger can spend for somebody else.

**Devices.** A device is identified by a server-issued token: a random id signed with the
time it was issued (``django.core.signing.TimestampSigner``). A browser gets it as the
``anxin_dev`` cookie when a public page is shown; the WeChat mini-program asks
``/api/v1/public/device/`` for one and sends it back in the ``X-Anxin-Device`` header.
Nothing about the device is stored with a report: the id only keys short-lived counters.

A token is *established* once it is older than a short warm-up
(``ANXIN_INTAKE_DEVICE_WARMUP_SECONDS``, default 60 — a child filling in the form takes longer).
A younger token, a forged, expired or unsigned one, or none at all is a *new device*: minting
tokens is free, so new devices share one small pool per school and action instead of getting
a budget each. Whoever floods that pool holds up other new devices only until their tokens
are established (the refusal tells them so, at most the warm-up away), never for an hour.

**What a stranger cannot do to others** (the attacks of issue 9):

- *Reports*: only accepted submissions count — a refused request spends neither the
  device's nor the school's budget, so one device posting 300 times spends 6, not 300.
- *Emergency help is never refused.* A device over its limit (or a new device while the
  new-device pool is over) still reaches the duty leader, flagged ``suspect``; flagged requests
  page by SMS once per school per window, not once each (``services.raise_emergency``).
- *Follow-up codes*: wrong guesses count per device and per code guessed — never per school —
  so guesses by others never lock out the holder of the right code. (Guessing is no real
  threat: a code has 80 bits; the limits only slow a single guesser further.)

**Fail open.** When the shared counter store (Redis in production) cannot be reached, the
limits fall back to a stricter in-process counter (half the rate, per worker) with a logged
warning naming no person or device, so a report or an emergency is stored whenever the
database is up.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django_ratelimit.core import _split_rate, get_usage

from anxin.intake import conf

log = logging.getLogger(__name__)

DEVICE_COOKIE = "anxin_dev"
DEVICE_HEADER = "X-Anxin-Device"
_SALT = "anxin.intake.device-token"
_TOKEN_MAX_AGE = 365 * 24 * 3600


# --- device tokens ------------------------------------------------------------------------------
def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=_SALT)


def issue_token() -> str:
    """A new device token: a random id and its issue time, signed by the server."""
    return _signer().sign(secrets.token_urlsafe(12))


@dataclass(frozen=True)
class Device:
    """Who is asking, as far as the limits are concerned. ``id`` is the token's random part
    (None when there is no valid token); ``established`` is True once the token is older
    than the warm-up; ``wait`` is how many seconds until a valid young token is."""

    id: str | None
    established: bool
    wait: int = 0


def _read(token: str) -> Device | None:
    if not token or len(token) > 120:
        return None
    try:
        value = _signer().unsign(token, max_age=_TOKEN_MAX_AGE)
        issued = signing.b62_decode(token.rsplit(_signer().sep, 2)[1])
    except (signing.BadSignature, ValueError, IndexError):
        return None
    age = time.time() - issued
    warmup = conf.device_warmup_seconds()
    if age >= warmup:
        return Device(value, True)
    return Device(value, False, max(1, int(warmup - age + 0.999)))


def device(request) -> Device:
    """The request's device: the header (mini-program) wins over the cookie (browser)."""
    cached = getattr(request, "_anxin_device", None)
    if cached is not None:
        return cached
    found = _read(request.headers.get(DEVICE_HEADER, "")) or _read(request.COOKIES.get(DEVICE_COOKIE, ""))
    found = found or Device(None, False, 0)
    request._anxin_device = found
    return found


def ensure_device_cookie(request, response) -> None:
    """Give a browser a device token unless it has a valid one (one year; HttpOnly)."""
    if _read(request.COOKIES.get(DEVICE_COOKIE, "")) is None:
        response.set_cookie(
            DEVICE_COOKIE,
            issue_token(),
            max_age=_TOKEN_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=getattr(settings, "HTTPS", False),
        )


# --- counters -----------------------------------------------------------------------------------
@dataclass
class Verdict:
    limited: bool
    retry_after: int = 0  # seconds


class _LocalCounter:
    """The in-process fallback: fixed windows, half the configured rate, bounded memory."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str, int], int] = {}

    def usage(self, group: str, value: str, rate: str, increment: bool) -> dict:
        limit, period = _split_rate(rate)
        limit = max(1, limit // 2)
        now = int(time.time())
        window = now - now % period
        key = (group, value, window)
        with self._lock:
            if len(self._counts) > 50_000:
                self._counts.clear()
            count = self._counts.get(key, 0) + (1 if increment else 0)
            if increment:
                self._counts[key] = count
        return {"count": count, "limit": limit, "time_left": window + period - now}

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


local_counter = _LocalCounter()
_last_warning = [0.0]


def _warn_store_down(exc: Exception) -> None:
    now = time.monotonic()
    if now - _last_warning[0] > 60:  # once a minute per worker, not once per request
        _last_warning[0] = now
        log.warning(
            "rate-limit store unavailable (%s); public limits use the stricter in-process counter",
            type(exc).__name__,
        )


def _usage(request, group: str, value: str, rate: str, increment: bool) -> dict:
    try:
        usage = get_usage(request, group=group, key=lambda _g, _r: value, rate=rate, increment=increment)
        if usage is None or usage.get("time_left", 0) < 0:  # the store answered nothing
            raise ConnectionError("no answer from the cache")
        return usage
    except Exception as exc:  # noqa: BLE001 — any store failure: fail open, never 500
        _warn_store_down(exc)
        return local_counter.usage(group, value, rate, increment)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


# Which counters each action checks: "device" (a token's own, or the school's new-device pool),
# "code" (the follow-up code guessed) and "report" (the report a message is added to).
def _buckets(request, action: str, school_code: str, code: str | None, report_id: int | None):
    dev = device(request)
    out = []
    if action in ("report", "emergency"):
        if dev.established:
            out.append(("device", f"dev:{dev.id}", conf.rate(action, "device")))
        else:
            out.append(("new", f"new:{school_code}", conf.rate(action, "new")))
        if action == "report":
            out.append(("school", f"school:{school_code}", conf.rate(action, "school")))
    elif action in ("followup", "followup_fail", "message"):
        if dev.id:  # no valid token: nothing a stranger can spend for the holder of a code
            out.append(("device", f"dev:{dev.id}", conf.rate(action, "device")))
        if action == "followup_fail" and code:
            out.append(("code", f"code:{school_code}:{_digest(code)}", conf.rate(action, "code")))
        if action == "message" and report_id:
            out.append(("report", f"report:{report_id}", conf.rate(action, "report")))
    return dev, out


def check(
    request, action: str, school_code: str, *, code: str | None = None, report_id: int | None = None
) -> Verdict:
    """Is any counter of ``action`` already at its limit? Counts nothing."""
    dev, buckets = _buckets(request, action, school_code, code, report_id)
    worst = Verdict(False)
    for per, value, rate in buckets:
        usage = _usage(request, f"intake:{action}:{per}", value, rate, increment=False)
        if usage["count"] >= usage["limit"]:
            wait = max(usage["time_left"], 1)
            if per == "new" and dev.wait:  # a young token: only until it is established
                wait = min(wait, dev.wait)
            worst = Verdict(True, max(worst.retry_after, wait))
    return worst


def count(
    request, action: str, school_code: str, *, code: str | None = None, report_id: int | None = None
) -> None:
    """Count one request of ``action`` on each of its counters."""
    _dev, buckets = _buckets(request, action, school_code, code, report_id)
    for per, value, rate in buckets:
        _usage(request, f"intake:{action}:{per}", value, rate, increment=True)


def hit(
    request, action: str, school_code: str, *, code: str | None = None, report_id: int | None = None
) -> Verdict:
    """Check, and count only when not limited: a refused request spends nobody's budget."""
    verdict = check(request, action, school_code, code=code, report_id=report_id)
    if not verdict.limited:
        count(request, action, school_code, code=code, report_id=report_id)
    return verdict
