from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "anxin.cases"
    label = "cases"
    verbose_name = "欺凌事件处置"
