"""Notifications: in-app, e-mail when configured, SMS through a gateway interface.

One entry point, :func:`notify`, used by reminders, escalations and emergency alerts. Each
notification has a dedupe key per recipient, so a periodic sweep that runs twice sends
nothing twice (GUIDE principle 6). Channels are sent after the transaction commits, so a
failed request sends nothing."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class ConsoleSmsBackend:
    """Prints instead of sending (trial servers, tests). Numbers are masked in the output."""

    sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        ConsoleSmsBackend.sent.append((phone, text))
        print(f"[SMS to {phone[:3]}****{phone[-4:]}] {text}")  # noqa: T201


def sms_backend():
    return import_string(getattr(settings, "ANXIN_SMS_BACKEND", "anxin.core.notify.ConsoleSmsBackend"))()


def notify(
    recipients: Iterable,
    *,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str | None = None,
    school=None,
    county=None,
    channels: Iterable[str] = ("inapp", "email"),
) -> list:
    """Notify each recipient once per ``dedupe_key``; returns the notifications created now.
    Keep personal data out of ``title`` and ``body`` for e-mail/SMS: name the record, not the child."""
    from anxin.core.models import Notification

    channels = set(channels)
    created = []
    for user in {u.pk: u for u in recipients if u is not None and u.is_active}.values():
        try:
            with transaction.atomic():
                n = Notification.objects.create(
                    recipient=user,
                    kind=kind,
                    title=title[:120],
                    body=body[:1000],
                    url=url[:300],
                    dedupe_key=(dedupe_key or "")[:160] or None,
                    county_id=getattr(county, "pk", county) or user.county_id,
                    school_id=getattr(school, "pk", school),
                )
        except IntegrityError:  # already sent for this key
            continue
        created.append(n)
        if "email" in channels and user.email:
            transaction.on_commit(lambda u=user, n=n: _send_email(u, n))
        if "sms" in channels and user.phone:
            transaction.on_commit(lambda u=user, n=n: _send_sms(u, n))
    return created


def _send_email(user, n) -> None:
    try:
        link = f"{settings.SITE_URL}{n.url}" if n.url else settings.SITE_URL
        send_mail(f"【安心校园】{n.title}", f"{n.body}\n\n{link}", settings.DEFAULT_FROM_EMAIL, [user.email])
    except Exception:  # noqa: BLE001 — in-app notice stands; mail failure is logged by id only
        log.exception("e-mail for notification %s failed", n.pk)


def _send_sms(user, n) -> None:
    try:
        sms_backend().send(user.phone, f"【安心校园】{n.title}")
    except Exception:  # noqa: BLE001
        log.exception("SMS for notification %s failed", n.pk)
