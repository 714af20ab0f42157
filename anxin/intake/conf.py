"""Settings of the reporting channels, each a Django setting that falls back to an environment
variable and then to a default (12-factor; LAW.md: local bureaus set their own values).

Read at call time, so ``override_settings`` in tests and environment variables in the load test
(``bench/report_load.py`` raises the rate limits) both take effect without a code change.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _value(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return str(value)


def _int(name: str, default: int) -> int:
    raw = _value(name, str(default))
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc


# --- rate limits (django-ratelimit rates: "<count>/<n><s|m|h|d>") ------------------------------
# (action, per) -> (setting name, default). "device" is an established device token (see
# ``limits``); "new" is the pool all new devices of one school share (young, forged or no
# token); "school" every accepted report to one school; "code" wrong guesses of one
# follow-up code; "report" messages added to one report. Emergency help is never refused:
# over these rates it is stored and flagged as possibly abusive.
RATE_DEFAULTS: dict[tuple[str, str], tuple[str, str]] = {
    ("report", "device"): ("ANXIN_INTAKE_RATE_REPORT_DEVICE", "6/h"),
    ("report", "new"): ("ANXIN_INTAKE_RATE_REPORT_NEW", "20/h"),
    ("report", "school"): ("ANXIN_INTAKE_RATE_REPORT_SCHOOL", "300/h"),
    ("emergency", "device"): ("ANXIN_INTAKE_RATE_EMERGENCY_DEVICE", "3/10m"),
    ("emergency", "new"): ("ANXIN_INTAKE_RATE_EMERGENCY_NEW", "5/h"),
    ("followup", "device"): ("ANXIN_INTAKE_RATE_FOLLOWUP_DEVICE", "60/h"),
    # wrong follow-up codes: a guesser is stopped long before 80 bits of entropy matter
    ("followup_fail", "device"): ("ANXIN_INTAKE_RATE_FOLLOWUP_FAIL_DEVICE", "5/15m"),
    ("followup_fail", "code"): ("ANXIN_INTAKE_RATE_FOLLOWUP_FAIL_CODE", "5/15m"),
    ("message", "device"): ("ANXIN_INTAKE_RATE_MESSAGE_DEVICE", "20/h"),
    ("message", "report"): ("ANXIN_INTAKE_RATE_MESSAGE_REPORT", "30/h"),
}


def rate(action: str, per: str) -> str:
    name, default = RATE_DEFAULTS[(action, per)]
    return _value(name, default)


def device_warmup_seconds() -> int:
    """How old a device token must be before it gets a budget of its own (``limits``)."""
    return _int("ANXIN_INTAKE_DEVICE_WARMUP_SECONDS", 60)


def emergency_page_window_minutes() -> int:
    """Emergency requests flagged as possibly abusive page the duty leaders by SMS at most
    once per school per this many minutes (each still reaches them in the app at once)."""
    return _int("ANXIN_EMERGENCY_FLOOD_PAGE_MINUTES", 10)


# --- uploads -------------------------------------------------------------------------------
def max_files() -> int:
    return _int("ANXIN_INTAKE_MAX_FILES", 5)


def max_image_bytes() -> int:
    return _int("ANXIN_INTAKE_MAX_IMAGE_MB", 10) * 1024 * 1024


def max_video_bytes() -> int:
    return _int("ANXIN_INTAKE_MAX_VIDEO_MB", 30) * 1024 * 1024


def max_video_seconds() -> int:
    """Longest video accepted, as its header claims it (a short clip is what a report needs)."""
    return _int("ANXIN_INTAKE_MAX_VIDEO_SECONDS", 600)


def max_request_bytes() -> int:
    """A whole submission: refused before it is parsed when Content-Length is larger."""
    return max_files() * max(max_image_bytes(), max_video_bytes()) + 1024 * 1024


# --- text ----------------------------------------------------------------------------------
def max_text_chars() -> int:
    return _int("ANXIN_INTAKE_MAX_TEXT_CHARS", 5000)


# --- emergency help (R-RPT-2) -------------------------------------------------------------
def escalate_minutes() -> int:
    """Unacknowledged this long, an emergency goes to the principal; as long again, to the
    bureau's safety staff."""
    return _int("ANXIN_EMERGENCY_ESCALATE_MINUTES", 10)


# --- follow-up codes ----------------------------------------------------------------------
def followup_pepper() -> bytes:
    """The server-side secret mixed into follow-up code hashes: a stolen database alone
    cannot be used to test guesses offline. Set ANXIN_FOLLOWUP_PEPPER in production; the
    default is derived from SECRET_KEY (rotating that key invalidates existing codes)."""
    explicit = _value("ANXIN_FOLLOWUP_PEPPER", "")
    if explicit:
        return explicit.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"anxin.intake.followup", hashlib.sha256).digest()


# --- audit of anonymous submissions -------------------------------------------------------------
# Seconds between a submission's commit and the task putting it (with every other fresh
# submission to that school) into the audit chain: one transaction per batch under a flood.
AUDIT_BATCH_DELAY = 1
