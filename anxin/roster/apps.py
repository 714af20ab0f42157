from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "anxin.roster"
    label = "roster"
    verbose_name = "学生名册"
