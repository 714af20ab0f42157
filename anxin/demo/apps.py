from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "anxin.demo"
    label = "demo"
    verbose_name = "演示数据"

    def ready(self):
        from anxin.demo import checks  # noqa: F401  (deploy check: no demo accounts in production)
