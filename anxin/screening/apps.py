from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "anxin.screening"
    label = "screening"
    verbose_name = "排查与风险"

    def ready(self) -> None:
        from anxin.screening import receivers

        receivers.connect()
        # survey disclosures: duty providers and the answer receiver (not in duties.py)
        from anxin.roster import hooks
        from anxin.screening import disclosure, disclosure_duties  # noqa: F401

        hooks.provide(
            "survey_labels", lambda r: [rule.label for rule in disclosure.matches(disclosure.answer_of(r))]
        )
