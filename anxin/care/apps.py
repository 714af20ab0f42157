from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "anxin.care"
    label = "care"
    verbose_name = "关爱与干预"
