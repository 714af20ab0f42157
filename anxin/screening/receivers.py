"""What makes the risk engine recompute (R-SCR-4 动态更新), and the signals this app hears from
the roster, cases and intake. Connected in ``ScreeningConfig.ready``.

Other apps' signal modules are imported defensively: they are built in parallel, and a
deployment without one simply sends nothing."""

from __future__ import annotations

import importlib
import logging

from django.db.models.signals import post_delete, post_save

log = logging.getLogger(__name__)


def _student_ids_of(instance) -> list[int]:
    return [instance.student_id] if getattr(instance, "student_id", None) else []


def input_changed(sender, instance, **kwargs):
    """A screening record, register entry or risk signal changed: recompute that student."""
    from anxin.screening.tasks import schedule_recompute

    if kwargs.get("raw"):
        return
    schedule_recompute(_student_ids_of(instance))


def survey_changed(sender, instance, **kwargs):
    """Survey answers name classmates: recompute the whole class."""
    from anxin.screening.services import _enrolled
    from anxin.screening.tasks import schedule_recompute

    if kwargs.get("raw"):
        return
    schedule_recompute(_enrolled().filter(klass_id=instance.klass_id).values_list("pk", flat=True))


def student_saved(sender, instance, created=False, raw=False, **kwargs):
    """The roster's flags seed the vulnerability register; any roster change may move the
    student's level (e.g. a new class or school)."""
    if raw:
        return
    from anxin.screening import services
    from anxin.screening.models import TendencyEntry, VulnerabilityEntry
    from anxin.screening.tasks import schedule_recompute

    # a student who moved school takes their open register entries along (the new school's
    # staff must see them, the old school's no longer)
    VulnerabilityEntry.objects.filter(student_id=instance.pk, ended_on__isnull=True).exclude(
        school_id=instance.school_id
    ).update(school_id=instance.school_id, county_id=instance.county_id)
    TendencyEntry.objects.filter(student_id=instance.pk, status=TendencyEntry.Status.ACTIVE).exclude(
        school_id=instance.school_id
    ).update(school_id=instance.school_id, county_id=instance.county_id)
    services.sync_roster_flags(student_ids=[instance.pk])
    schedule_recompute([instance.pk])


def _connect_optional(module: str, name: str, receiver) -> bool:
    try:
        signal = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return False
    signal.connect(receiver, dispatch_uid=f"screening:{module}.{name}")
    return True


def connect() -> None:
    from anxin.roster.models import Student
    from anxin.screening import models as m
    from anxin.screening import services

    for model in (m.ScreeningRecord, m.VulnerabilityEntry, m.TendencyEntry, m.RiskSignal):
        post_save.connect(input_changed, sender=model, dispatch_uid=f"screening-risk-save-{model.__name__}")
        post_delete.connect(input_changed, sender=model, dispatch_uid=f"screening-risk-del-{model.__name__}")
    post_save.connect(survey_changed, sender=m.SurveyResponse, dispatch_uid="screening-risk-survey-save")
    post_delete.connect(survey_changed, sender=m.SurveyResponse, dispatch_uid="screening-risk-survey-del")
    post_save.connect(student_saved, sender=Student, dispatch_uid="screening-student-saved")
    _connect_optional("anxin.cases.signals", "bullying_confirmed", services.on_bullying_confirmed)
    _connect_optional("anxin.cases.signals", "case_party_added", services.on_case_party_added)
    _connect_optional("anxin.intake.signals", "students_named", services.on_students_named)
