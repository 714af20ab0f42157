"""REST API of this app (R-Q-3): viewsets on core.api bases, same policy as the pages.

Read only: accounts, posts and access grants are changed through the pages (services).
No serializer carries a password field.
"""

from __future__ import annotations

from django.db.models import Prefetch
from rest_framework import serializers

from anxin.accounts.filters import AccessGrantFilter, MembershipApiFilter, UserFilter
from anxin.accounts.models import AccessGrant, Membership, User
from anxin.core.api import ScopedReadOnlyViewSet


class MembershipSerializer(serializers.ModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "user",
            "role",
            "role_display",
            "title",
            "county",
            "school",
            "klass",
            "unit",
            "started_on",
            "ended_on",
        ]


class PostSerializer(serializers.ModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "role", "role_display", "title", "school", "klass", "unit", "started_on"]


class UserSerializer(serializers.ModelSerializer):
    posts = PostSerializer(source="active_posts", many=True, read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "real_name",
            "phone",
            "county",
            "is_active",
            "must_change_password",
            "last_login",
            "posts",
        ]


class AccessGrantSerializer(serializers.ModelSerializer):
    class Meta:
        model = AccessGrant
        fields = [
            "id",
            "grantee",
            "county",
            "school",
            "reason",
            "starts_at",
            "expires_at",
            "status",
            "decided_by",
            "decided_at",
            "decision_note",
            "created_at",
        ]


class UserViewSet(ScopedReadOnlyViewSet):
    """Staff accounts in the caller's scope (accounts.user.view), with their current posts
    in that scope."""

    queryset = User.objects.all()
    serializer_class = UserSerializer
    filterset_class = UserFilter

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch(
                    "memberships",
                    # only posts in the caller's scope (not a teacher's posts at other schools)
                    queryset=Membership.objects.restrict(self.request.user, "view").active().order_by("role"),
                    to_attr="active_posts",
                )
            )
        )


class MembershipViewSet(ScopedReadOnlyViewSet):
    """Posts (current and ended) in the caller's scope; read with accounts.user.view."""

    queryset = Membership.objects.all()
    serializer_class = MembershipSerializer
    filterset_class = MembershipApiFilter

    def get_queryset(self):
        return super().get_queryset().order_by("pk")


class AccessGrantViewSet(ScopedReadOnlyViewSet):
    """Cross-scope access approvals (LAW 18): approvers and the auditor."""

    queryset = AccessGrant.objects.all()
    serializer_class = AccessGrantSerializer
    filterset_class = AccessGrantFilter


def register(router) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    router.register("users", UserViewSet, basename="user")
    router.register("memberships", MembershipViewSet, basename="membership")
    router.register("access-grants", AccessGrantViewSet, basename="access-grant")
