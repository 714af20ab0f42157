from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "anxin.supervision"
    label = "supervision"
    verbose_name = "督导检查"
