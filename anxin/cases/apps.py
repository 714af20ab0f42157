from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "anxin.cases"
    label = "cases"
    verbose_name = "欺凌事件处置"

    def ready(self):
        from anxin.cases import escalation
        from anxin.cases.signals import case_party_added

        # LAW 3: the same students again → an earlier direct settlement goes to the committee
        case_party_added.connect(escalation.on_case_party_added, dispatch_uid="cases-settlement-repeat")
