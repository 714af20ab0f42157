"""Reaching people outside the platform: e-mail, SMS through an HTTP gateway, and 企业微信 /
钉钉 group robots — each send a :class:`~anxin.core.models.Delivery` row (the delivery log),
sent by the task queue, retried with back-off, and held back during quiet hours unless urgent.

Backends (settings, from the environment):

- SMS: ``ANXIN_SMS_BACKEND`` — ``anxin.core.delivery.ConsoleSmsBackend`` (the default: trial
  servers and tests; it sends nothing and says so) or ``anxin.core.delivery.HttpSmsBackend``
  (``ANXIN_SMS_URL``, ``ANXIN_SMS_USER``, ``ANXIN_SMS_KEY``, ``ANXIN_SMS_SIGN``): a JSON POST
  ``{"account", "phone", "sign", "content"}`` with the key as a Bearer token, which is what the
  common Chinese SMS gateways' HTTP APIs (or a small adapter in front of one) take.
- Group robots: ``ANXIN_WECOM_WEBHOOK`` (企业微信群机器人 webhook address) and
  ``ANXIN_DINGTALK_WEBHOOK`` + ``ANXIN_DINGTALK_SECRET`` (钉钉 加签); notices whose kind is in
  ``ANXIN_ROBOT_KINDS`` (default: emergencies) are posted to the configured groups.
- Quiet hours: ``ANXIN_QUIET_HOURS`` (default ``22:00-07:00``, Beijing time): non-urgent SMS and
  robot messages wait until the quiet hours end. E-mail and in-app notices are never held.

Texts sent outside carry the notice's title and a link only — no child's name (callers keep
personal data out of titles, see ``notify``)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import time
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from anxin.core import clock

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_MINUTES = (1, 5, 15, 60)  # after the 1st, 2nd, 3rd, 4th failure
TIMEOUT_SECONDS = 10


class DeliveryError(Exception):
    """The gateway refused or did not answer: the delivery is retried."""


# --- backends ---------------------------------------------------------------------------------


class ConsoleSmsBackend:
    """Trial servers and tests: sends nothing. It logs one line saying so (number masked) and
    keeps what it would have sent in ``sent`` for tests."""

    sent: list[tuple[str, str]] = []
    real = False

    def send(self, phone: str, text: str) -> None:
        ConsoleSmsBackend.sent.append((phone, text))
        log.info("console SMS backend (demo, nothing sent) to %s", mask_phone(phone))


class HttpSmsBackend:
    """An HTTP SMS gateway: JSON POST with the account, the phone, the signature and the text."""

    real = True

    def send(self, phone: str, text: str) -> None:
        body = {
            "account": settings.ANXIN_SMS_USER,
            "phone": phone,
            "sign": settings.ANXIN_SMS_SIGN,
            "content": text,
        }
        answer = _post_json(settings.ANXIN_SMS_URL, body, token=settings.ANXIN_SMS_KEY)
        if str(answer.get("code", "0")) not in ("0", "OK", "200"):
            raise DeliveryError(f"gateway code {answer.get('code')}")


def _post_json(url: str, body: dict, *, token: str = "") -> dict:
    if not url.startswith(("http://", "https://")):
        raise DeliveryError("not an http(s) address")
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(  # noqa: S310 — the scheme is checked above
        url, data=json.dumps(body, ensure_ascii=False).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            raw = response.read(65536)
    except OSError as exc:  # refused, timed out, HTTP error status
        raise DeliveryError(f"{type(exc).__name__} {getattr(exc, 'code', '')}".strip()) from exc
    try:
        return json.loads(raw or b"{}")
    except ValueError as exc:
        raise DeliveryError("answer is not JSON") from exc


def post_wecom(text: str) -> None:
    """企业微信群机器人: ``{"msgtype": "text", "text": {"content": …}}``; errcode 0 is success."""
    answer = _post_json(settings.ANXIN_WECOM_WEBHOOK, {"msgtype": "text", "text": {"content": text}})
    if answer.get("errcode", 0) != 0:
        raise DeliveryError(f"errcode {answer.get('errcode')}")


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """钉钉 加签: HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret, base64, URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp_ms}&sign={sign}"


def post_dingtalk(text: str) -> None:
    url = settings.ANXIN_DINGTALK_WEBHOOK
    if settings.ANXIN_DINGTALK_SECRET:
        url = dingtalk_signed_url(url, settings.ANXIN_DINGTALK_SECRET, int(time.time() * 1000))
    answer = _post_json(url, {"msgtype": "text", "text": {"content": text}})
    if answer.get("errcode", 0) != 0:
        raise DeliveryError(f"errcode {answer.get('errcode')}")


def sms_backend():
    return import_string(settings.ANXIN_SMS_BACKEND)()


def sms_is_real() -> bool:
    return bool(getattr(sms_backend(), "real", False))


# --- queueing ---------------------------------------------------------------------------------


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


def robots() -> list[str]:
    """The group robots this deployment posts to."""
    out = []
    if settings.ANXIN_WECOM_WEBHOOK:
        out.append("wecom")
    if settings.ANXIN_DINGTALK_WEBHOOK:
        out.append("dingtalk")
    return out


def quiet_until(now: dt.datetime, urgent: bool) -> dt.datetime | None:
    """When a non-urgent SMS or robot message created at ``now`` may go, if it must wait."""
    spec = settings.ANXIN_QUIET_HOURS
    if urgent or not spec:
        return None
    start_s, end_s = spec.split("-")
    start, end = dt.time.fromisoformat(start_s.strip()), dt.time.fromisoformat(end_s.strip())
    local = now.astimezone(clock.SHANGHAI)
    t = local.time()
    quiet = (start <= t or t < end) if start > end else (start <= t < end)
    if not quiet:
        return None
    day = local.date() if t < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=clock.SHANGHAI)


def queue(
    *,
    channel: str,
    target: str,
    address: str,
    title: str,
    urgent: bool,
    notification=None,
    county_id=None,
    school_id=None,
    dedupe_key: str | None = None,
):
    """Record one delivery and send it through the task queue after the transaction commits
    (or at the end of the quiet hours). Returns the row, or None when already queued."""
    from anxin.core.models import Delivery

    now = clock.now()
    wait = quiet_until(now, urgent) if channel in ("sms", "wecom", "dingtalk") else None
    try:
        with transaction.atomic():
            d = Delivery.objects.create(
                notification=notification,
                channel=channel,
                target=target[:60],
                address=address[:200],
                title=title[:120],
                urgent=urgent,
                next_try=wait or now,
                county_id=county_id,
                school_id=school_id,
                dedupe_key=(dedupe_key or "")[:180] or None,
            )
    except IntegrityError:
        return None
    if wait is None:
        transaction.on_commit(lambda pk=d.pk: _enqueue(pk))
    return d


def _enqueue(pk: int) -> None:
    from anxin.core.tasks import send_delivery

    send_delivery(pk)


def _link(d) -> str:
    link = settings.SITE_URL.rstrip("/")
    return link + d.notification.url if d.notification_id and d.notification.url else link


def _text(d) -> str:
    return f"【安心校园】{d.title} {_link(d)}"


def attempt(d) -> bool:
    """Try one delivery now; on failure schedule the next try (back-off) or give up after
    MAX_ATTEMPTS. Returns whether it was sent. The address is erased once the row is final."""
    from anxin.core.models import Delivery

    if d.status != Delivery.Status.PENDING:
        return d.status == Delivery.Status.SENT
    now = clock.now()
    d.attempts += 1
    try:
        if d.channel == Delivery.Channel.SMS:
            sms_backend().send(d.address, _text(d))
        elif d.channel == Delivery.Channel.EMAIL:
            body = (d.notification.body + "\n\n" if d.notification_id else "") + _link(d)
            send_mail(f"【安心校园】{d.title}", body, settings.DEFAULT_FROM_EMAIL, [d.address])
        elif d.channel == Delivery.Channel.WECOM:
            post_wecom(_text(d))
        elif d.channel == Delivery.Channel.DINGTALK:
            post_dingtalk(_text(d))
    except Exception as exc:  # noqa: BLE001 — any failure is logged on the row and retried
        d.last_error = (type(exc).__name__ + ": " + str(exc))[:200]
        if d.attempts >= MAX_ATTEMPTS:
            d.status, d.next_try, d.address = Delivery.Status.FAILED, None, ""
            log.warning("delivery %s failed for good after %s attempts", d.pk, d.attempts)
        else:
            d.next_try = now + dt.timedelta(
                minutes=BACKOFF_MINUTES[min(d.attempts, len(BACKOFF_MINUTES)) - 1]
            )
        d.save(update_fields=["attempts", "last_error", "status", "next_try", "address"])
        return False
    d.status, d.sent_at, d.next_try, d.address = Delivery.Status.SENT, now, None, ""
    d.save(update_fields=["attempts", "status", "sent_at", "next_try", "address"])
    return True


def send_due(now: dt.datetime | None = None) -> int:
    """The sweep: every pending delivery whose time has come (retries, quiet-hours holds)."""
    from anxin.core.models import Delivery

    now = now or clock.now()
    sent = 0
    for d in Delivery.objects.filter(status=Delivery.Status.PENDING, next_try__lte=now).select_related(
        "notification"
    )[:500]:
        sent += attempt(d)
    return sent
