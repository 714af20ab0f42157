from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "anxin.dashboards"
    label = "dashboards"
    verbose_name = "统计看板"

    def ready(self) -> None:
        from anxin.dashboards import receivers

        receivers.connect()
