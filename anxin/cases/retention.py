"""Retention of incident cases (LAW 24), and the source of every retention period: the county's
legal parameters (``anxin.cases.law.parameters.RETENTION``), kept in versions by the county's
administrator. Discovered by ``anxin.core.retention``.

A closed case is anonymised ``RETENTION_CASE_YEARS`` after it was closed: its parties no longer
point at students (outsiders' names are blanked), and the narrative and free text of the case
and of its records (statements, notes, determinations, reports …) are overwritten; evidence
files are deleted from storage. The numbers,
dates, results and measures stay for the county's statistics. The case timeline is append-only:
it never held names (party ids only) and keeps its narrative diffs encrypted.
"""

from __future__ import annotations

from anxin.cases.law import settings as law_settings
from anxin.cases.law.parameters import BY_KEY
from anxin.core import retention


@retention.period_source
def county_period(county_id, parameter):
    if parameter not in BY_KEY:
        return None
    return law_settings.get(parameter, county_id=county_id)


def _due(county_id, cutoff):
    from anxin.cases.models import BullyingCase, CaseState

    return BullyingCase.objects.filter(county_id=county_id, state=CaseState.CLOSED, closed_at__lt=cutoff)


def _children():
    """The case's own records (every model with a ``case`` key), but not its append-only timeline."""
    from django.apps import apps

    from anxin.cases.models import BullyingCase, CaseEvent

    for model in apps.get_app_config("cases").get_models():
        if model is CaseEvent:
            continue
        f = next((f for f in model._meta.concrete_fields if f.name == "case"), None)
        if f is not None and f.related_model is BullyingCase:
            yield model


def anonymise_cases(qs) -> int:
    from anxin.cases.models import BullyingCase, CaseParty, Evidence

    ids = list(qs.values_list("pk", flat=True))
    retention.purge_files(Evidence.objects.filter(case_id__in=ids))  # the files themselves go
    CaseParty.objects.filter(case_id__in=ids).update(
        student=None, outsider_name="（已匿名）", outsider_note=""
    )
    for model in _children():
        retention.blank_text(model.objects.filter(case_id__in=ids))
    return retention.blank_text(BullyingCase.objects.filter(pk__in=ids))


retention.register(
    retention.RecordClass(
        key="cases.closed_case",
        label="已结案案件",
        parameter="RETENTION_CASE_YEARS",
        unit=retention.YEARS,
        default=5,
        action=retention.ANONYMISE,
        due=_due,
        apply=anonymise_cases,
        note="当事人不再指向学生，事件经过和各项记录的文字内容覆盖；编号、日期、认定结果和措施保留供统计",
    )
)
