"""Logins and logouts go to the audit trail (LAW 22). Failed logins are recorded by accounts
(``accounts/signals.py``), which knows how to find the attacked account's county."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from anxin.core import audit, clock


@receiver(user_logged_in, dispatch_uid="anxin-audit-login")
def on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session["login_at"] = clock.now().timestamp()
    # The login event is attributed to the user; the request's own context (reset when the
    # request ends) is left alone, so nothing leaks outside a request (e.g. force_login).
    ctx = audit.context_for_user(user, getattr(request, "id", None))
    audit.append("login", object_type="accounts.user", object_id=user.pk, ctx=ctx, county_id=user.county_id)


@receiver(user_logged_out, dispatch_uid="anxin-audit-logout")
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.append("logout", object_type="accounts.user", object_id=user.pk, county_id=user.county_id)
