"""Failed logins go to the audit trail (LAW 22), in the attacked account's county. Logins and
logouts are recorded by ``core.signals``; this one needs the accounts to find the county."""

from __future__ import annotations

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from anxin.core import audit


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
