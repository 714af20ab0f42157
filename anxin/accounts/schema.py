"""OpenAPI descriptions of the authentication classes (drf-spectacular extensions), registered
when accounts is ready."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "anxin.accounts.api_auth.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "浏览器会话（须已通过双因素认证）",
        }


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "anxin.accounts.api_auth.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token-based authentication: `Authorization: Token <key>` (key from the API 令牌 page)",
        }
