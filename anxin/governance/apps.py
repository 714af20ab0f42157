from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "anxin.governance"
    label = "governance"
    verbose_name = "制度与自查"

    def ready(self) -> None:
        from anxin.governance import actions

        actions.register()
