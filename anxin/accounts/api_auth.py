"""API authentication: the browser session and API tokens, both held to the gates of the pages
(second factor, forced password change, absolute session limit). Named in settings'
REST_FRAMEWORK; the policy permission stays in ``core.api_auth``."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from anxin.core import audit, clock


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
        # the absolute session limit holds on the API as on the pages
        login_at = request._request.session.get("login_at")
        if (
            login_at is None
            or clock.now().timestamp() - login_at > settings.ANXIN_ABSOLUTE_SESSION_HOURS * 3600
        ):
            return None
        return result


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``. A token expires (ANXIN_API_TOKEN_DAYS), dies with a
    password change, and never stands in for a forced password change or a missing second
    factor: a role that needs TOTP must have a confirmed device (LAW 21)."""

    keyword = "Token"

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        audit.set_context(audit.context_for_user(user, getattr(request._request, "id", None)))
        return user, token

    def authenticate_credentials(self, key):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from anxin.accounts.middleware import needs_password_change, needs_second_factor
        from anxin.accounts.models import ApiToken

        # only the SHA-256 of a key is stored: look the token up by the digest of what was sent
        token = ApiToken.objects.select_related("user").filter(digest=ApiToken.digest_of(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("API 令牌无效。"))
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("账号已停用。"))
        if token.created < clock.now() - timedelta(days=settings.ANXIN_API_TOKEN_DAYS):
            raise exceptions.AuthenticationFailed(_("API 令牌已过期，请在“API 令牌”页面重新生成。"))
        if user.password_changed_at and token.created < user.password_changed_at:
            raise exceptions.AuthenticationFailed(_("密码已修改，旧的 API 令牌已失效。"))
        if needs_password_change(user):
            raise exceptions.AuthenticationFailed(_("请先登录网页修改密码。"))
        if needs_second_factor(user) and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise exceptions.AuthenticationFailed(_("您的岗位须先在网页上绑定动态验证码。"))
        return user, token
