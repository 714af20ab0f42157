"""Logins, failed logins and logouts go to the audit trail (LAW 22)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
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


@receiver(user_login_failed, dispatch_uid="anxin-audit-login-failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    # The login name typed is kept (it identifies the attacked account), never the password.
    name = str(credentials.get("username", ""))[:150]
    from anxin.accounts.backends import login_audit_target

    # In the attacked account's county, where its auditor looks.
    audit.append(
        "login",
        object_type="accounts.user",
        result="failed",
        data={"login": name},
        **login_audit_target(name),
    )


@receiver(user_logged_out, dispatch_uid="anxin-audit-logout")
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.append("logout", object_type="accounts.user", object_id=user.pk, county_id=user.county_id)
