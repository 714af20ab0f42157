from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "anxin.core"
    label = "core"
    verbose_name = "公共"

    def ready(self):
        from anxin.core import schema, signals  # noqa: F401  (OpenAPI auth schemes; login/logout audit)
