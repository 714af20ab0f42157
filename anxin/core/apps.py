from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "anxin.core"
    label = "core"
    verbose_name = "公共"

    def ready(self):
        from django.db.models.signals import post_migrate

        from anxin.core import schema, signals  # noqa: F401  (OpenAPI auth schemes; login/logout audit)

        post_migrate.connect(_create_cache_table, sender=self, dispatch_uid="anxin-cache-table")


def _create_cache_table(using="default", **kwargs):
    """The database cache (shared rate-limit counters when there is no Redis) needs its
    table: every `migrate` creates it, so no deployment can forget `createcachetable`."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)
