"""Session rules of LAW 21: absolute session limit, forced password change (initial or
older than the maximum age) and a TOTP second factor for bureau and admin roles."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from anxin.core import clock, policy

EXEMPT_PREFIXES = ("/static/", "/s/", "/i18n/", "/healthz", "/api/", "/favicon.ico")

# The idle timeout (SESSION_COOKIE_AGE) runs from the session's last save. Saving on every
# request (SESSION_SAVE_EVERY_REQUEST) wrote the session row on every page and API call; the
# stamp below saves it at most once a minute, so a session idles out between
# ANXIN_IDLE_TIMEOUT_MINUTES - 1 and ANXIN_IDLE_TIMEOUT_MINUTES after its last request.
IDLE_STAMP = "seen_at"
IDLE_STAMP_SECONDS = 60


def touch_session(request) -> None:
    """Renew the idle timer of a live session (signed in or not: a public survey keeps its
    session too), at most once every IDLE_STAMP_SECONDS. Never creates a session."""
    session = getattr(request, "session", None)
    if session is None or session.session_key is None:
        return
    seen = session.get(IDLE_STAMP)
    if session.is_empty():  # unknown or expired key: nothing to renew
        return
    now = int(clock.now().timestamp())
    if seen is None or now - seen >= IDLE_STAMP_SECONDS:
        session[IDLE_STAMP] = now


def needs_password_change(user) -> bool:
    if user.must_change_password:
        return True
    changed = user.password_changed_at
    return changed is None or clock.now() - changed > timedelta(days=settings.ANXIN_PASSWORD_MAX_AGE_DAYS)


def needs_second_factor(user) -> bool:
    return policy.needs_second_factor(user)


class SessionPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        touch_session(request)
        user = request.user
        path = request.path
        if not user.is_authenticated or path.startswith(EXEMPT_PREFIXES):
            return self.get_response(request)
        login_at = request.session.get("login_at")
        if (
            login_at is None
            or clock.now().timestamp() - login_at > settings.ANXIN_ABSOLUTE_SESSION_HOURS * 3600
        ):
            logout(request)
            messages.info(
                request, _("登录已超过%(h)d小时，请重新登录。") % {"h": settings.ANXIN_ABSOLUTE_SESSION_HOURS}
            )
            return redirect(f"{reverse('accounts:login')}?next={path}")
        allowed = {reverse("accounts:logout"), reverse("accounts:password_change")}
        if path in allowed:
            return self.get_response(request)
        if needs_password_change(user):
            return redirect("accounts:password_change")
        otp_paths = {reverse("accounts:otp_setup"), reverse("accounts:otp_verify")}
        if needs_second_factor(user) and not user.is_verified() and path not in otp_paths:
            from django_otp.plugins.otp_totp.models import TOTPDevice

            has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
            return redirect("accounts:otp_verify" if has_device else "accounts:otp_setup")
        return self.get_response(request)
