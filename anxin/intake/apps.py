from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "anxin.intake"
    label = "intake"
    verbose_name = "举报与求助"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from anxin.intake.public_views import forget_public_schools

        # the public pages cache each school's lookup by its poster code (public_views)
        for model in ("org.School", "org.County"):
            post_save.connect(forget_public_schools, sender=model, dispatch_uid=f"intake-forget-{model}")
            post_delete.connect(
                forget_public_schools, sender=model, dispatch_uid=f"intake-forget-del-{model}"
            )
