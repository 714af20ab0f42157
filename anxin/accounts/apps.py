from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "anxin.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        # failed logins to the audit trail; the OpenAPI auth schemes of accounts.api_auth
        from anxin.accounts import schema, signals  # noqa: F401
