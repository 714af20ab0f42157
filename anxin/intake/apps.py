from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "anxin.intake"
    label = "intake"
    verbose_name = "举报与求助"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from anxin.core import middleware, views
        from anxin.intake.public_views import content_too_long, forget_public_schools, server_error_page
        from anxin.screening import hooks as screening_hooks

        # the public pages cache each school's lookup by its poster code (public_views)
        for model in ("org.School", "org.County"):
            post_save.connect(forget_public_schools, sender=model, dispatch_uid=f"intake-forget-{model}")
            post_delete.connect(
                forget_public_schools, sender=model, dispatch_uid=f"intake-forget-del-{model}"
            )
        # the NUL guard leaves an oversized report unread (the report form refuses it whole) …
        middleware.register_too_long(content_too_long)
        # … and a server error under /s/ shows the public failure page with the phones
        views.register_error_page("/s/", server_error_page)
        # a 苗头 flagged in screening's monitoring arrives in the triage inbox
        screening_hooks.provide_concern_sink(_concern_sink)


def _concern_sink():
    """The function raising a concern, looked up at each call (as screening did before the hook)."""
    try:
        from anxin.intake.services import raise_concern
    except (ImportError, AttributeError):
        return None
    return raise_concern
