"""Risk: what other apps read (levels, watched students) and the signals other apps send
(cases, intake, care) that feed the risk engine and the 重点盯防 alerts.

The rules table is ``anxin.screening.risk_rules``; the engine is ``anxin.screening.risk``."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from anxin.core import clock
from anxin.core.roles import Role
from anxin.screening import risk, risk_rules
from anxin.screening.models import EntrySource, RiskSignal, TendencyEntry, VulnerabilityEntry
from anxin.screening.services.registers import add_tendency, ensure_categories

# --- risk: what other apps read ------------------------------------------------------------------


def risk_level(student) -> str:
    """The student's level: "red", "orange", "yellow" or "green" (绿 when never computed)."""
    return risk.level_of(student)


def risk_levels(queryset_or_ids) -> dict[int, str]:
    """{student id: level} for a queryset of students or an iterable of ids."""
    return risk.levels_of(queryset_or_ids)


def level_label(level: str) -> str:
    return risk_rules.LEVEL_LABELS.get(level, "")


def watched_students(school) -> set[int]:
    """Students of the school on the bullying-tendency register (重点盯防)."""
    school_id = getattr(school, "pk", school)
    return set(
        TendencyEntry.objects.filter(school_id=school_id, status=TendencyEntry.Status.ACTIVE).values_list(
            "student_id", flat=True
        )
    )


def note_care_anomaly(student, source_obj) -> RiskSignal | None:
    """Care found an anomaly in a talk or home visit (发现异常及时干预): the engine raises the
    student's risk for 30 days."""
    return record_signal(student, RiskSignal.Kind.CARE_ANOMALY, source_obj)


# --- signals from other apps: cases, intake, care ---------------------------------------------------


def _source_key(obj) -> tuple[str, str]:
    return obj._meta.label_lower, str(obj.pk)


def record_signal(student, kind: str, source_obj, *, at=None, place: str = "") -> RiskSignal | None:
    """Remember that a student appeared in another app's record (idempotent per source)."""
    if student is None or source_obj is None:
        return None
    source_type, source_id = _source_key(source_obj)
    try:
        with transaction.atomic():
            sig, _created = RiskSignal.objects.get_or_create(
                student_id=student.pk,
                kind=kind,
                source_type=source_type,
                source_id=source_id,
                defaults={
                    "county_id": student.county_id,
                    "school_id": student.school_id,
                    "at": at or clock.now(),
                    "place": (place or "")[:100],
                },
            )
    except IntegrityError:  # written concurrently by the same event
        return None
    return sig


def safety_leaders(school_id: int) -> list:
    from anxin.accounts.models import Membership

    return [
        m.user
        for m in Membership.objects.active()
        .filter(school_id=school_id, role=Role.SAFETY_LEADER, user__is_active=True)
        .select_related("user")
    ]


def watch_alert(student, source_obj, *, what: str) -> list:
    """重点盯防 (seed 三 第二阶段 “严防再次欺凌”): a student on the tendency register appears in a
    new report, concern or case → the school's safety leader is told, once per source object
    and student. Titles carry no names (they may go out by e-mail)."""
    from anxin.core.notify import notify

    entry = TendencyEntry.objects.filter(student_id=student.pk, status=TendencyEntry.Status.ACTIVE).first()
    if entry is None:
        return []
    source_type, source_id = _source_key(source_obj)
    if source_type.startswith("cases.") and source_id.isdigit() and int(source_id) in entry.case_ids:
        return []  # the case that put the student on the register
    return notify(
        safety_leaders(student.school_id),
        kind="watch_alert",
        title=_("重点盯防提醒：欺凌倾向台账学生出现在新的%(what)s中") % {"what": what},
        body=_(
            "欺凌倾向台账第 %(e)s 号登记的学生出现在%(what)s（编号 %(id)s）中，请及时核查处置，严防再次欺凌。"
        )
        % {"e": entry.pk, "what": what, "id": source_id},
        url=reverse("screening:tendency_detail", args=[entry.pk]),
        dedupe_key=f"watch_alert:{source_type}:{source_id}:{student.pk}",
        school=student.school_id,
        county=student.county_id,
    )


CASE_ROLE_KIND = {
    "victim": RiskSignal.Kind.CASE_VICTIM,
    "alleged_bully": RiskSignal.Kind.CASE_BULLY,
    "witness": RiskSignal.Kind.CASE_PARTY,
    "bystander": RiskSignal.Kind.CASE_PARTY,
}


def on_students_named(sender=None, *, school=None, students=(), source_obj=None, **kwargs) -> None:
    """intake: a report or concern was linked to students."""
    if source_obj is None:
        return
    is_report = source_obj._meta.model_name == "report"
    kind = RiskSignal.Kind.NAMED_REPORT if is_report else RiskSignal.Kind.NAMED_CONCERN
    what = _("举报") if is_report else _("关注线索")
    for st in students or ():
        record_signal(st, kind, source_obj, place=getattr(source_obj, "place", "") or "")
        watch_alert(st, source_obj, what=what)


def on_case_party_added(sender=None, *, case=None, student=None, role: str = "", **kwargs) -> None:
    """cases: a student became a party of a case."""
    if case is None or student is None:
        return
    record_signal(
        student,
        CASE_ROLE_KIND.get(role, RiskSignal.Kind.CASE_PARTY),
        case,
        place=getattr(case, "place", "") or "",
    )
    watch_alert(student, case, what=_("欺凌事件"))


def on_bullying_confirmed(sender=None, *, case=None, bullies=(), victims=(), **kwargs) -> None:
    """cases: a determination found bullying. The bullies enter the tendency register (grounds:
    the case); the victims enter 曾受欺凌 in the vulnerability register."""
    if case is None:
        return
    for st in bullies or ():
        record_signal(st, RiskSignal.Kind.CONFIRMED_BULLY, case)
        add_tendency(
            by=None,
            student=st,
            grounds=_("欺凌事件（编号 %(id)s）经学生欺凌治理委员会认定实施欺凌") % {"id": case.pk},
            source=EntrySource.CASE,
            case_id=case.pk,
        )
    if victims:
        for st in victims:
            record_signal(st, RiskSignal.Kind.CONFIRMED_VICTIM, case)
            cat = ensure_categories(st.county_id).get("past_victim")
            if (
                cat is not None
                and cat.active
                and not VulnerabilityEntry.objects.filter(
                    student_id=st.pk, category=cat, ended_on__isnull=True
                ).exists()
            ):
                VulnerabilityEntry.objects.create(
                    county_id=st.county_id,
                    school_id=st.school_id,
                    student_id=st.pk,
                    category=cat,
                    source=EntrySource.CASE,
                    note=_("欺凌事件（编号 %(id)s）认定遭受欺凌") % {"id": case.pk},
                )
