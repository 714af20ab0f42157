"""The check-in QR code of an activity (扫码签到).

The code shown in the room carries a *room token*: the activity, signed (django.core.signing)
and short-lived — the page showing it draws a fresh one every few minutes, so a photo of it or a
forwarded link soon stops working. Scanning it needs a login; the confirmation page then carries
a *personal token* naming the activity and the person who opened it, and the check-in records
the logged-in user only, refusing a personal token opened by someone else."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

ROOM_SALT = "anxin.education.checkin.room"
PERSON_SALT = "anxin.education.checkin.person"


def max_age() -> int:
    """Seconds a room token stays valid (``ANXIN_CHECKIN_MAX_AGE``, 10 minutes by default)."""
    return int(getattr(settings, "ANXIN_CHECKIN_MAX_AGE", 600))


REFRESH_SECONDS = 120  # the QR page draws a new code this often


def room_token(activity) -> str:
    return signing.dumps({"a": activity.pk}, salt=ROOM_SALT, compress=True)


def read_room(token: str) -> int:
    """The activity's id; raises ``signing.BadSignature`` (or ``SignatureExpired``)."""
    data = signing.loads(token, salt=ROOM_SALT, max_age=max_age())
    return int(data["a"])


def person_token(activity, user) -> str:
    return signing.dumps({"a": activity.pk, "u": user.pk}, salt=PERSON_SALT, compress=True)


def read_person(token: str) -> tuple[int, int]:
    data = signing.loads(token, salt=PERSON_SALT, max_age=max_age())
    return int(data["a"]), int(data["u"])


def checkin_url(activity) -> str:
    """The address in the QR code, on the configured public address (like the intake poster)."""
    return settings.SITE_URL.rstrip("/") + reverse("education:checkin", args=[room_token(activity)])


def qr_svg(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_inline(scale=6)
