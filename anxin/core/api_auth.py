"""The API's policy permission and pagination. Kept apart from ``api.py`` because DRF imports
these while it loads its own views. Authentication (sessions and tokens) is the accounts'
(``accounts/api_auth.py``)."""

from __future__ import annotations

from rest_framework import pagination, permissions

from anxin.core import audit, policy


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
        if policy.allows(request.user, obj, action):
            return True
        audit.append(
            "denied",
            object_type=obj._meta.label_lower,
            object_id=obj.pk,
            result="denied",
            data={"perm": policy.perm_name(type(obj), action), "via": "api"},
        )
        return False


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

    def paginate_queryset(self, queryset, request, view=None):
        # a huge register's total (view.cache_counts): counted once per user, filters and
        # data version, as on its page (core.listing.figures), not on every call
        if view is not None and getattr(view, "cache_counts", False) and request.user.is_authenticated:
            from functools import partial

            from anxin.core.listing import KnownCountPaginator, cached_for_user

            asked = sorted((k, v) for k, v in request.query_params.lists() if k != self.page_query_param)
            n = cached_for_user(
                request.user,
                queryset.model._meta.app_label,
                ("api-total", type(view).__name__, asked),
                lambda: {"n": queryset.count()},
            )["n"]
            self.django_paginator_class = partial(KnownCountPaginator, count=n)
        return super().paginate_queryset(queryset, request, view)
