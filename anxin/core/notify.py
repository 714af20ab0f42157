"""Notifications: in-app, e-mail when configured, SMS through a gateway, group robots.

One entry point, :func:`notify`, used by reminders, escalations and emergency alerts. Each
notification has a dedupe key per recipient, so a periodic sweep that runs twice sends
nothing twice (GUIDE principle 6). Channels are sent after the transaction commits, so a
failed request sends nothing."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction

from anxin.core import delivery
from anxin.core.delivery import ConsoleSmsBackend, sms_backend  # noqa: F401 — the old import path

log = logging.getLogger(__name__)


URGENT_KINDS = frozenset({"emergency"})  # never held back by quiet hours


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
    urgent: bool | None = None,
) -> list:
    """Notify each recipient once per ``dedupe_key``; returns the notifications created now.
    E-mail and SMS go through the delivery log and the task queue (``anxin.core.delivery``);
    kinds in ``ANXIN_ROBOT_KINDS`` are also posted to the configured group robots.
    Keep personal data out of ``title`` and ``body`` for e-mail/SMS: name the record, not the child."""
    from anxin.core.models import Notification

    channels = set(channels)
    urgent = kind in URGENT_KINDS if urgent is None else urgent
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
        where = {"notification": n, "title": n.title, "urgent": urgent, "county_id": n.county_id}
        where["school_id"] = n.school_id
        if "email" in channels and user.email:
            delivery.queue(channel="email", target=_mask_email(user.email), address=user.email, **where)
        if "sms" in channels and user.phone:
            delivery.queue(channel="sms", target=delivery.mask_phone(user.phone), address=user.phone, **where)
    if created and kind in settings.ANXIN_ROBOT_KINDS:
        first = created[0]
        for robot in delivery.robots():
            delivery.queue(
                channel=robot,
                target=robot,
                address="",
                title=first.title,
                urgent=urgent,
                notification=first,
                county_id=first.county_id,
                school_id=first.school_id,
                dedupe_key=f"{dedupe_key}:{robot}" if dedupe_key else None,
            )
    return created


def _mask_email(email: str) -> str:
    name, _at, domain = email.partition("@")
    return f"{name[:1]}***@{domain}"[:60]
