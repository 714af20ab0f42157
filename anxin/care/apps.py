from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "anxin.care"
    label = "care"
    verbose_name = "关爱与干预"

    def ready(self) -> None:
        # risk → action: duty providers and the risk engine's receiver (not in duties.py)
        from anxin.care import risk_actions, risk_duties  # noqa: F401
        from anxin.roster import hooks

        hooks.provide("risk_proposal", risk_actions.proposal_from_hub)  # the student page
