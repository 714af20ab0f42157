import importlib

from django.apps import AppConfig, apps
from django.utils.module_loading import module_has_submodule


class CoreConfig(AppConfig):
    name = "anxin.core"
    label = "core"
    verbose_name = "公共"

    def ready(self):
        from django.db.models.signals import post_migrate

        from anxin.core import schema, signals  # noqa: F401  (OpenAPI error answers; login/logout audit)

        post_migrate.connect(_create_cache_table, sender=self, dispatch_uid="anxin-cache-table")


def _create_cache_table(using="default", **kwargs):
    """The database cache (shared rate-limit counters when there is no Redis) needs its
    table: every `migrate` creates it, so no deployment can forget `createcachetable`."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


def project_apps() -> list[AppConfig]:
    """This project's installed apps (those in core's own package), in INSTALLED_APPS order."""
    package = __name__.split(".")[0]
    return [c for c in apps.get_app_configs() if c.name.split(".")[0] == package]


def app_modules(name: str, *, skip_core: bool = True) -> list:
    """Each project app's ``<app>.<name>`` module where it has one, in INSTALLED_APPS order: how
    core's registries (permissions, nav) find what the apps above it contribute without core
    naming any of them."""
    found = []
    for config in project_apps():
        if skip_core and config.label == "core":
            continue
        if module_has_submodule(config.module, name):
            found.append(importlib.import_module(f"{config.name}.{name}"))
    return found
