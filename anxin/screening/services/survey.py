"""The peer-relationship survey: create and close, codes, the students' answers, the analysis."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from anxin.core import clock
from anxin.screening import risk_rules
from anxin.screening.models import (
    BEHAVIOUR_SHORT,
    BehaviourType,
    Frequency,
    Nomination,
    PeerSurvey,
    Place,
    ScreeningRound,
    SurveyResponse,
    SurveyToken,
    TimeSlot,
    random_code,
)
from anxin.screening.services._common import _enrolled, _require
from anxin.screening.tasks import schedule_recompute

# --- peer-relationship survey ---------------------------------------------------------------------


@transaction.atomic
def create_survey(
    *,
    by,
    klass,
    closes_on: dt.date,
    round: ScreeningRound | None = None,  # noqa: A002
    title: str = "",
) -> PeerSurvey:
    """Open a class questionnaire and issue one personal code (答题码) per enrolled student."""
    probe = PeerSurvey(county_id=klass.county_id, school_id=klass.school_id, klass_id=klass.pk)
    _require(by, probe, "change")
    if closes_on < clock.today():
        raise ValidationError({"closes_on": _("截止日期不能早于今天。")})
    if round is not None and round.school_id != klass.school_id:
        raise ValidationError({"round": _("排查轮次不属于本校。")})
    for _attempt in range(5):
        code = random_code(6)
        if not PeerSurvey.objects.filter(class_code=code).exists():
            break
    survey = PeerSurvey.objects.create(
        county_id=klass.county_id,
        school_id=klass.school_id,
        klass=klass,
        round=round,
        title=title.strip() or _("同学关系状况问卷"),
        closes_on=closes_on,
        created_by=by,
        class_code=code,
    )
    students = list(_enrolled().filter(klass=klass).values_list("pk", flat=True))
    codes: set[str] = set()
    while len(codes) < len(students):
        codes.add(random_code(6))
    SurveyToken.objects.bulk_create(
        [
            SurveyToken(
                county_id=survey.county_id, school_id=survey.school_id, survey=survey, student_id=sid, code=c
            )
            for sid, c in zip(students, sorted(codes), strict=True)
        ]
    )
    return survey


@transaction.atomic
def close_survey(*, by, survey: PeerSurvey) -> PeerSurvey:
    _require(by, survey, "change")
    survey.status = PeerSurvey.Status.CLOSED
    survey.save(update_fields=["status", "updated_at"])
    return survey


def survey_is_open(survey: PeerSurvey) -> bool:
    today = clock.today()
    return survey.status == PeerSurvey.Status.OPEN and survey.opens_on <= today <= survey.closes_on


def find_open_survey(class_code: str) -> PeerSurvey | None:
    code = (class_code or "").strip().upper()
    survey = PeerSurvey.objects.filter(class_code=code).select_related("klass__grade", "school").first()
    return survey if survey is not None and survey_is_open(survey) else None


def redeem_code(survey: PeerSurvey, code: str) -> SurveyToken | None:
    """The unused personal code of this survey, or None."""
    code = (code or "").strip().upper().replace(" ", "")
    return (
        SurveyToken.objects.filter(survey=survey, code=code, used_at__isnull=True)
        .select_related("student")
        .first()
    )


def classmates(survey: PeerSurvey, exclude=None):
    qs = _enrolled().filter(klass_id=survey.klass_id).only("pk", "name", "klass_id").order_by("name", "pk")
    if exclude is not None:
        qs = qs.exclude(pk=getattr(exclude, "pk", exclude))
    return qs


ALREADY_ANSWERED = "这个答题码已经用过了，每位同学只能答一次。"


def submit_response(*, survey: PeerSurvey, token: SurveyToken, data: Mapping[str, Any]) -> SurveyResponse:
    """Save one student's answers and nominations, once (the database refuses a second)."""
    from anxin.roster.models import Student

    with transaction.atomic():
        token = SurveyToken.objects.select_for_update().get(pk=token.pk)
        if token.used_at is not None or token.survey_id != survey.pk:
            raise ValidationError(_(ALREADY_ANSWERED))
        if not survey_is_open(survey):
            raise ValidationError(_("问卷已经结束。"))
        student = Student.objects.get(pk=token.student_id)
        try:
            with transaction.atomic():
                response = SurveyResponse.objects.create(
                    survey=survey,
                    student=student,
                    klass_id=survey.klass_id,
                    county_id=survey.county_id,
                    school_id=survey.school_id,
                    victim={k: int(v) for k, v in (data.get("victim") or {}).items() if int(v)},
                    witnessed=sorted(set(data.get("witnessed") or [])),
                    places=sorted(set(data.get("places") or [])),
                    times=sorted(set(data.get("times") or [])),
                    feels_safe=bool(data.get("feels_safe", True)),
                    wants_help=bool(data.get("wants_help")),
                    note=(data.get("note") or "").strip()[:300],
                )
        except IntegrityError:
            raise ValidationError(_(ALREADY_ANSWERED)) from None
        mates = set(classmates(survey, exclude=student).values_list("pk", flat=True))
        noms = []
        for kind, key in ((Nomination.Kind.FRIEND, "friends"), (Nomination.Kind.ISOLATED, "isolated")):
            for nominee in {int(getattr(x, "pk", x)) for x in data.get(key) or []}:
                if nominee in mates:
                    noms.append(
                        Nomination(
                            survey=survey,
                            response=response,
                            nominator=student,
                            nominee_id=nominee,
                            kind=kind,
                            klass_id=survey.klass_id,
                            county_id=survey.county_id,
                            school_id=survey.school_id,
                        )
                    )
        Nomination.objects.bulk_create(noms)
        token.used_at = clock.now()
        token.save(update_fields=["used_at"])
        # incoming nominations change classmates' facts too
        schedule_recompute(mates | {student.pk})
    return response


def survey_analysis(survey: PeerSurvey) -> dict:  # noqa: C901 — one pass per measure, kept together
    """Network analysis of a class survey in plain Python: isolated students (nobody names
    them as a break-time companion), mutual friendships, friendship groups (connected
    components of mutual ties), students named as often left out, and hotspots (where and
    when victimisation or witnessed bullying happens)."""
    students = {s.pk: s for s in classmates(survey)}
    responses = list(survey.responses.all())
    answered = {r.student_id for r in responses}
    friend_edges: set[tuple[int, int]] = set()
    isolated_named: dict[int, int] = defaultdict(int)
    for a, b, kind in survey.nominations.values_list("nominator_id", "nominee_id", "kind"):
        if kind == Nomination.Kind.FRIEND:
            friend_edges.add((a, b))
        else:
            isolated_named[b] += 1
    in_degree: dict[int, int] = defaultdict(int)
    for _a, b in friend_edges:
        in_degree[b] += 1
    mutual = sorted({tuple(sorted((a, b))) for a, b in friend_edges if (b, a) in friend_edges})
    # friendship groups: union-find over mutual ties
    parent = {sid: sid for sid in students}

    def find(x):
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    for a, b in mutual:
        if a in parent and b in parent:
            parent[find(a)] = find(b)
    groups: dict[int, list] = defaultdict(list)
    for sid in students:
        groups[find(sid)].append(students[sid])
    enough = len(responses) >= risk_rules.SURVEY_MIN_ANSWERS
    isolated = [students[sid] for sid in students if in_degree.get(sid, 0) == 0] if enough else []
    places: dict[str, int] = defaultdict(int)
    times: dict[str, int] = defaultdict(int)
    by_type: dict[str, int] = defaultdict(int)
    victims = []
    for r in responses:
        involved = r.victim_max > 0 or bool(r.witnessed)
        if involved:
            for p in r.places:
                places[p] += 1
            for t in r.times:
                times[t] += 1
        for t, freq in (r.victim or {}).items():
            if int(freq) > 0:
                by_type[t] += 1
        if r.victim_max > 0 or r.wants_help or not r.feels_safe:
            types = [
                (BEHAVIOUR_SHORT.get(t, t), Frequency(int(freq)).label)
                for t, freq in (r.victim or {}).items()
                if int(freq) > 0 and int(freq) in Frequency.values
            ]
            victims.append({"response": r, "student": students.get(r.student_id), "types": types})

    return {
        "class_size": len(students),
        "answers": len(responses),
        "enough": enough,
        "not_answered": [students[s] for s in students if s not in answered],
        "isolated": isolated,
        "mutual": [(students.get(a), students.get(b)) for a, b in mutual if a in students and b in students],
        "groups": sorted((g for g in groups.values() if len(g) > 1), key=len, reverse=True),
        "named_isolated": sorted(
            ((students[s], n) for s, n in isolated_named.items() if s in students), key=lambda x: -x[1]
        ),
        "in_degree": dict(in_degree),
        "hot_places": [
            (Place(p).label if p in Place.values else p, n)
            for p, n in sorted(places.items(), key=lambda x: -x[1])
        ],
        "hot_times": [
            (TimeSlot(t).label if t in TimeSlot.values else t, n)
            for t, n in sorted(times.items(), key=lambda x: -x[1])
        ],
        "by_type": [(BehaviourType(t).label, by_type.get(t, 0)) for t in BehaviourType.values],
        "victims": victims,
    }
