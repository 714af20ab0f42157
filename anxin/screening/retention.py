"""Retention of 同学关系问卷 answers (LAW 24; ``anxin.core.retention``): ``RETENTION_SURVEY_YEARS``
after a survey closed, its answers and their peer nominations are deleted (an answer is one
student's own account; nothing in it is kept once its period ends). The survey itself stays."""

from __future__ import annotations

from anxin.core import retention


def _due(county_id, cutoff):
    from anxin.screening.models import SurveyResponse

    return SurveyResponse.objects.filter(county_id=county_id, survey__closes_on__lt=cutoff.date())


def purge_answers(qs) -> int:
    from anxin.screening.models import Nomination, SurveyResponse

    ids = list(qs.values_list("pk", flat=True))
    Nomination.objects.filter(response_id__in=ids).delete()
    SurveyResponse.objects.filter(pk__in=ids).delete()
    return len(ids)


retention.register(
    retention.RecordClass(
        key="screening.survey_answers",
        label="同学关系问卷答卷",
        parameter="RETENTION_SURVEY_YEARS",
        unit=retention.YEARS,
        default=1,
        action=retention.PURGE,
        due=_due,
        apply=purge_answers,
        marked=False,
        note="答卷和同伴提名删除；问卷本身保留",
    )
)
