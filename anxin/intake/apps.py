from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "anxin.intake"
    label = "intake"
    verbose_name = "举报与求助"
