from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "anxin.cases"
    label = "cases"
    verbose_name = "欺凌事件处置"

    def ready(self) -> None:
        from anxin.cases.verify import verify_cases
        from anxin.core.verify import register_chain

        # manage.py verify_audit checks every case's timeline beside the audit trail
        register_chain(verify_cases)
