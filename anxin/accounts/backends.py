"""Log in by username or by mobile phone number."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from anxin.accounts.models import User
from anxin.core.validators import MOBILE_RE


def find_user(login: str) -> User | None:
    login = (login or "").strip()
    if not login:
        return None
    q = Q(username=login)
    if MOBILE_RE.match(login):
        q |= Q(phone=login)
    return User.objects.filter(q).order_by("pk").first()


def login_audit_target(login: str) -> dict:
    """Where a failed or locked-out login is recorded, so the auditor of the account's county
    sees it (AuditEvent is scoped by county): the account's county and id when the login name
    is an account's; for an unknown name the only county when the installation serves exactly
    one, else no county (such events stay in stream county:0 and are not shown to a county's
    auditor, since they concern no county's account)."""
    user = find_user(login)
    if user is not None and user.county_id is not None:
        return {"county_id": user.county_id, "object_id": user.pk}
    County = apps.get_model("org", "County")

    counties = list(County.objects.values_list("pk", flat=True)[:2])
    target = {"county_id": counties[0] if len(counties) == 1 else None}
    if user is not None:
        target["object_id"] = user.pk
    return target


class UsernameOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = find_user(username)
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The signed-in user of each request, with the county the page shell names (one
        query instead of two on every page)."""
        from anxin.core import sqlcache

        def signed_in(pk):  # read on every page: compiled once per process (sqlcache)
            return User._default_manager.select_related("county").filter(pk=pk)

        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        if not 0 < pk < 2**63:  # (a session that says so is signed out, not a 500)
            return None
        found = sqlcache.rows(("accounts.signed_in_user",), signed_in, pk)
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None


def axes_username(request, credentials) -> str:
    """Count failures per account whichever login name is typed (username or phone)."""
    login = (credentials or {}).get("username") or (request.POST.get("username") if request else "") or ""
    user = find_user(login)
    return user.username if user else login.strip()


def lock_state(user) -> dict:
    """Failures counted by axes within the cool-off window and whether the account is locked
    now (LAW 21: 5 failures → 15 minutes)."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.db.models import Max, Sum
    from django.utils import timezone

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    agg = AccessAttempt.objects.filter(username=user.username, attempt_time__gte=since).aggregate(
        failures=Sum("failures_since_start"), last=Max("attempt_time")
    )
    failures = agg["failures"] or 0
    locked = failures >= settings.AXES_FAILURE_LIMIT
    return {
        "failures": failures,
        "locked": locked,
        "until": agg["last"] + settings.AXES_COOLOFF_TIME if locked and agg["last"] else None,
    }
