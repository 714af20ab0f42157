"""The risk engine (R-SCR-4): gathers each student's facts in bulk and evaluates the table in
``risk_rules``. It holds no rule of its own.

A recompute reads a fixed number of queries per chunk of students (whatever the chunk's
size), writes a :class:`RiskState` only when the level or the reasons change, and appends a
:class:`RiskAssessment` (history) for each change. A county of 50,000 students is a few
hundred queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, QuerySet

from anxin.core import clock
from anxin.screening import risk_events, risk_rules
from anxin.screening.risk_rules import Facts

CHUNK = 2000
NAMED_CATEGORIES = frozenset(
    {"left_behind", "introvert", "poverty", "single_parent", "disability", "migrant", "orphan", "past_victim"}
)


def _chunks(ids: list[int], size: int = CHUNK):
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def collect(ids: list[int]) -> tuple[dict[int, dict], dict[int, Facts]]:
    """The students' keys and their facts: seven queries for any number of ids (≤ CHUNK)."""
    from anxin.roster.models import Student
    from anxin.screening.models import (
        Nomination,
        PeerSurvey,
        RiskSignal,
        ScreeningRecord,
        SurveyResponse,
        TendencyEntry,
        VulnerabilityEntry,
    )

    students = {
        row["id"]: row
        for row in Student.objects.filter(pk__in=ids).values("id", "county_id", "school_id", "klass_id")
    }
    facts = {sid: Facts() for sid in students}
    if not students:
        return students, facts
    ids = list(students)
    today = clock.today()

    # 弱势学生 register
    for sid, code in VulnerabilityEntry.objects.filter(
        student_id__in=ids, ended_on__isnull=True, category__active=True
    ).values_list("student_id", "category__code"):
        if code in NAMED_CATEGORIES:
            facts[sid].categories.add(code)
        else:
            facts[sid].other_categories += 1

    # latest screened record per student (newer rounds have larger ids)
    seen: set[int] = set()
    for sid, psych, mood, peers, signs in (
        ScreeningRecord.objects.filter(student_id__in=ids, missing_reason="")
        .order_by("student_id", "-round_id", "-id")
        .values_list("student_id", "psych", "mood", "peers", "signs_seen")
    ):
        if sid in seen:
            continue
        seen.add(sid)
        f = facts[sid]
        f.screen_psych, f.screen_mood, f.screen_peers, f.screen_signs = psych, mood, peers, signs

    # the latest peer survey of each student's class within the horizon
    klass_ids = {row["klass_id"] for row in students.values()}
    latest: dict[int, int] = {}
    for survey_id, klass_id in (
        PeerSurvey.objects.filter(
            klass_id__in=klass_ids, opens_on__gte=today - timedelta(days=risk_rules.SIGNAL_HORIZON_DAYS)
        )
        .order_by("klass_id", "-opens_on", "-id")
        .values_list("id", "klass_id")
    ):
        latest.setdefault(klass_id, survey_id)
    if latest:
        survey_ids = list(latest.values())
        answers = dict(
            SurveyResponse.objects.filter(survey_id__in=survey_ids)
            .values("survey_id")
            .annotate(n=Count("id"))
            .values_list("survey_id", "n")
        )
        for sid, row in students.items():
            facts[sid].survey_answers_in_class = answers.get(latest.get(row["klass_id"]), 0)
        for sid, survey_id, victim in SurveyResponse.objects.filter(
            survey_id__in=survey_ids, student_id__in=ids
        ).values_list("student_id", "survey_id", "victim"):
            if latest.get(students[sid]["klass_id"]) == survey_id:
                facts[sid].survey_victim_freq = max((int(v) for v in (victim or {}).values()), default=0)
        for sid, survey_id, kind, n in (
            Nomination.objects.filter(survey_id__in=survey_ids, nominee_id__in=ids)
            .values("nominee_id", "survey_id", "kind")
            .annotate(n=Count("id"))
            .values_list("nominee_id", "survey_id", "kind", "n")
        ):
            if latest.get(students[sid]["klass_id"]) != survey_id:
                continue
            if kind == Nomination.Kind.FRIEND:
                facts[sid].friend_nominations = n
            else:
                facts[sid].isolated_nominations = n

    # 欺凌倾向台账
    for sid in TendencyEntry.objects.filter(
        student_id__in=ids, status=TendencyEntry.Status.ACTIVE
    ).values_list("student_id", flat=True):
        facts[sid].on_tendency_register = True

    # signals from cases, intake, monitoring and care
    since = clock.now() - timedelta(days=risk_rules.SIGNAL_HORIZON_DAYS + 1)
    for sid, kind, at in RiskSignal.objects.filter(student_id__in=ids, at__gte=since).values_list(
        "student_id", "kind", "at"
    ):
        facts[sid].signal_days.setdefault(kind, []).append((today - clock.local_date(at)).days)
    return students, facts


def recompute(ids: Iterable[int]) -> int:
    """Recompute the given students; returns how many changed level or reasons."""
    from anxin.screening.models import RiskAssessment, RiskState

    ids = sorted({int(i) for i in ids})
    changed = 0
    for chunk in _chunks(ids):
        students, facts = collect(chunk)
        now = clock.now()
        existing = {st.student_id: st for st in RiskState.objects.filter(student_id__in=list(students))}
        new_states, updated, history = [], [], []
        for sid, row in students.items():
            level, points, reasons = risk_rules.evaluate(facts[sid])
            st = existing.get(sid)
            if st is None:
                new_states.append(
                    RiskState(
                        student_id=sid,
                        county_id=row["county_id"],
                        school_id=row["school_id"],
                        level=level,
                        points=points,
                        reasons=reasons,
                        changed_at=now,
                    )
                )
                if reasons:
                    history.append(_assessment(row, level, "", points, reasons, now))
                continue
            differs = st.level != level or st.reasons != reasons
            moved = st.school_id != row["school_id"] or st.county_id != row["county_id"]
            if not differs and not moved and st.points == points:
                continue
            if differs:
                history.append(_assessment(row, level, st.level, points, reasons, now))
                st.changed_at = now
            st.level, st.points, st.reasons = level, points, reasons
            st.school_id, st.county_id = row["school_id"], row["county_id"]
            updated.append(st)
        with transaction.atomic():
            if new_states:
                RiskState.objects.bulk_create(new_states, batch_size=500)
            if updated:
                RiskState.objects.bulk_update(
                    updated, ["level", "points", "reasons", "changed_at", "school", "county"], batch_size=500
                )
            if history:
                RiskAssessment.objects.bulk_create(history, batch_size=500)
        risk_events.send(history)
        changed += len(history)
    return changed


def _assessment(row, level, previous, points, reasons, now):
    from anxin.screening.models import RiskAssessment

    return RiskAssessment(
        student_id=row["id"],
        county_id=row["county_id"],
        school_id=row["school_id"],
        level=level,
        previous_level=previous,
        points=points,
        reasons=reasons,
        at=now,
    )


def recompute_county(county_id: int | None = None) -> tuple[int, int]:
    """Every student of a county (or of all counties): (students, changed)."""
    from anxin.roster.models import Student

    qs = Student.objects.all()
    if county_id is not None:
        qs = qs.filter(county_id=county_id)
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    return len(ids), recompute(ids)


def level_of(student) -> str:
    from anxin.screening.models import RiskState

    pk = getattr(student, "pk", student)
    return RiskState.objects.filter(student_id=pk).values_list("level", flat=True).first() or risk_rules.GREEN


def levels_of(students) -> dict[int, str]:
    """{student id: level} for a queryset of students or an iterable of ids (or students);
    a student never computed is 绿."""
    from anxin.roster.models import Student
    from anxin.screening.models import RiskState

    if isinstance(students, QuerySet):
        if students.model is not Student:
            raise TypeError("risk_levels expects students or student ids")
        ids = list(students.order_by().values_list("pk", flat=True))
    else:
        ids = [int(getattr(s, "pk", s)) for s in students]
    out = dict.fromkeys(ids, risk_rules.GREEN)
    for chunk in _chunks(ids):
        out.update(RiskState.objects.filter(student_id__in=chunk).values_list("student_id", "level"))
    return out
