"""API authentication and the policy permission. Kept apart from ``api.py`` because DRF
imports these while it loads its own views."""

from __future__ import annotations

from rest_framework import authentication, pagination, permissions

from anxin.core import audit, policy


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser session, but only once the session has passed the same gates as the pages:
    the second factor where the role needs one, and no pending forced password change."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        from anxin.accounts.middleware import needs_password_change, needs_second_factor

        user = result[0]
        if needs_password_change(user):
            return None
        if needs_second_factor(user) and not (hasattr(user, "is_verified") and user.is_verified()):
            return None
        return result


class TokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        audit.set_context(audit.context_for_user(user))
        return user, token


class PolicyPermission(permissions.BasePermission):
    """Deny by default: a view states ``policy_perm`` (or a per-action map) it needs."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        perm = view_perm(view)
        if perm is None:
            return False
        if not policy.can(request.user, perm):
            audit.append("denied", result="denied", data={"perm": perm, "path": request.path[:200]})
            return False
        return True

    def has_object_permission(self, request, view, obj):
        action = view_action(view)
        return policy.allows(request.user, obj, action)


def view_action(view) -> str:
    actions = getattr(view, "policy_actions", {}) or {}
    name = getattr(view, "action", None) or ""
    if name in actions:
        return actions[name]
    return "view" if name in ("list", "retrieve", "") else "change"


def view_perm(view) -> str | None:
    model = getattr(view, "policy_model", None) or getattr(getattr(view, "queryset", None), "model", None)
    if model is None:
        return getattr(view, "policy_perm", None)
    return policy.perm_name(model, view_action(view))


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
