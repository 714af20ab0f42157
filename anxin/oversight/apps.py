from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "anxin.oversight"
    label = "oversight"
    verbose_name = "监督岗与问责"
