from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "anxin.cases"
    label = "cases"
    verbose_name = "欺凌事件处置"

    def ready(self) -> None:
        from anxin.cases import escalation
        from anxin.cases.signals import case_party_added
        from anxin.cases.verify import verify_cases
        from anxin.core.verify import register_chain
        from anxin.intake import hooks as intake_hooks

        # LAW 3: the same students again → an earlier direct settlement goes to the committee
        case_party_added.connect(escalation.on_case_party_added, dispatch_uid="cases-settlement-repeat")
        # manage.py verify_audit checks every case's timeline beside the audit trail
        register_chain(verify_cases)
        # a report in triage opens a case through cases.services.open_case
        intake_hooks.provide_case_opener(_case_opener)


def _case_opener():
    """The function that opens a case, looked up at each call (as intake did before the hook)."""
    try:
        from anxin.cases.services import open_case
    except (ImportError, AttributeError):
        return None
    return open_case
