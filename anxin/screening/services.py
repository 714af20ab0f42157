"""Domain operations of screening and early warning: the only place that changes this app's
state (GUIDE: views and the API call these functions).

Each function that a person triggers receives the acting user (``by``), checks the policy
itself (pages and API check first; this is the second line) and runs in one transaction.
Rule violations raise ``ValidationError`` with a Chinese message; missing rights raise
``PermissionDenied``. Writes are recorded by the models' ``@audited`` signals.

Other apps read from here:
- ``risk_level(student)`` / ``risk_levels(queryset_or_ids)`` — 红/橙/黄/绿 (care's cadences);
- ``watched_students(school)`` — ids on the bullying-tendency register (重点盯防);
- ``note_care_anomaly(student, source_obj)`` — care tells the engine an anomaly was found.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from anxin.core import audit, clock, policy
from anxin.core.roles import Role
from anxin.screening import risk, risk_rules
from anxin.screening.models import (
    BEHAVIOUR_SHORT,
    BehaviourType,
    Camera,
    CountyRound,
    DutyLog,
    DutyShift,
    EntrySource,
    Frequency,
    HazardMeasure,
    HazardPoint,
    MonitoringZone,
    Nomination,
    PeerSurvey,
    Place,
    Rectification,
    RiskSignal,
    RosterFlag,
    ScreeningRecord,
    ScreeningRound,
    SurveyResponse,
    SurveyToken,
    TendencyEntry,
    TendencyReview,
    TimeSlot,
    VulnerabilityCategory,
    VulnerabilityEntry,
    random_code,
)
from anxin.screening.tasks import schedule_recompute

log = logging.getLogger(__name__)

# How long until a tendency-register entry is reviewed (定期复核), unless a date is given.
TENDENCY_REVIEW_DAYS = 90


def _require(by, obj, action: str) -> None:
    if by is not None and not policy.allows(by, obj, action):
        raise PermissionDenied(policy.perm_name(type(obj), action))


def _enrolled():
    from anxin.roster.models import Student, StudentStatus

    return Student.objects.filter(status=StudentStatus.ENROLLED)


def staff_of(school_id: int):
    """Accounts holding an active post at the school (owners, duty persons)."""
    from anxin.accounts.models import Membership, User

    user_ids = Membership.objects.active().filter(school_id=school_id).values("user_id")
    return User.objects.filter(pk__in=user_ids, is_active=True).order_by("real_name", "username")


def _check_staff(school_id: int, user, field: str) -> None:
    if user is not None and not staff_of(school_id).filter(pk=user.pk).exists():
        raise ValidationError({field: _("请选择本校在岗教职工。")})


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


# --- screening rounds (R-SCR-1) ------------------------------------------------------------------


def _check_deadline(deadline: dt.date, opened_on: dt.date | None = None) -> None:
    if deadline < (opened_on or clock.today()):
        raise ValidationError({"deadline": _("截止日期不能早于开始日期。")})


@transaction.atomic
def open_round(
    *,
    by,
    school,
    title: str,
    deadline: dt.date,
    opened_on: dt.date | None = None,
    county_round: CountyRound | None = None,
) -> ScreeningRound:
    """A school opens a screening round (全面梳理排查) with a deadline."""
    probe = ScreeningRound(county_id=school.county_id, school_id=school.pk)
    if county_round is None:
        _require(by, probe, "change")
    opened_on = opened_on or clock.today()
    _check_deadline(deadline, opened_on)
    if not title.strip():
        raise ValidationError({"title": _("请填写排查名称。")})
    return ScreeningRound.objects.create(
        county_id=school.county_id,
        school=school,
        title=title.strip(),
        deadline=deadline,
        opened_on=opened_on,
        opened_by=by,
        county_round=county_round,
    )


@transaction.atomic
def open_county_round(*, by, county, title: str, deadline: dt.date) -> CountyRound:
    """The bureau opens a round for every active school of the county at once."""
    from anxin.org.models import School

    _require(by, CountyRound(county_id=county.pk), "change")
    _check_deadline(deadline)
    if not title.strip():
        raise ValidationError({"title": _("请填写排查名称。")})
    cr = CountyRound.objects.create(county=county, title=title.strip(), deadline=deadline, opened_by=by)
    for school in School.objects.filter(county=county, active=True).order_by("pk"):
        open_round(by=by, school=school, title=cr.title, deadline=deadline, county_round=cr)
    return cr


def _round_student(round_: ScreeningRound, student):
    if student.school_id != round_.school_id or student.status != "enrolled":
        raise ValidationError(_("该学生不在本轮排查范围内。"))


@transaction.atomic
def save_record(*, by, round: ScreeningRound, student, data: Mapping[str, Any]) -> ScreeningRecord:  # noqa: A002
    """Record (or correct) one student's screening in an open round. ``data`` holds psych, mood,
    peers, family_contacted, signs_seen, note and missing_reason. A record either has the
    three assessments or a reason why the student could not be screened."""
    _round_student(round, student)
    probe = ScreeningRecord(county_id=round.county_id, school_id=round.school_id, klass_id=student.klass_id)
    _require(by, probe, "change")
    # read the status afresh: the caller's copy may predate the round's completion
    if not ScreeningRound.objects.filter(pk=round.pk, status=ScreeningRound.Status.OPEN).exists():
        raise ValidationError(_("本轮排查已完成，不能再修改。"))
    missing = (data.get("missing_reason") or "").strip()
    values = {
        "psych": data.get("psych") or "",
        "mood": data.get("mood") or "",
        "peers": data.get("peers") or "",
        "family_contacted": bool(data.get("family_contacted")),
        "signs_seen": bool(data.get("signs_seen")),
        "note": (data.get("note") or "").strip(),
        "missing_reason": missing,
    }
    if not missing:
        errors = {}
        for field, label in (("psych", _("心理状况")), ("mood", _("情绪")), ("peers", _("同学关系"))):
            if not values[field]:
                errors[field] = _("请选择%(f)s。") % {"f": label}
        if errors:
            raise ValidationError(errors)
        if values["signs_seen"] and not values["note"]:
            raise ValidationError({"note": _("发现苗头迹象时，请简要说明情况。")})
    record = ScreeningRecord.objects.filter(round=round, student=student).first()
    if record is None:
        record = ScreeningRecord(
            round=round, student=student, county_id=round.county_id, school_id=round.school_id
        )
    record.klass_id = student.klass_id
    record.recorded_by = by
    for k, v in values.items():
        setattr(record, k, v)
    record.save()
    return record


def class_students(round_: ScreeningRound, klass):
    # only what the page shows: no encrypted fields decrypted for nothing
    return (
        _enrolled()
        .filter(school_id=round_.school_id, klass=klass)
        .only("pk", "name", "klass_id", "school_id", "county_id", "status")
        .order_by("name", "pk")
    )


def coverage(round_: ScreeningRound) -> dict:
    """Coverage per class of a round: enrolled students, screened, excused (a reason is
    recorded), missing. Two GROUP BY queries and one for the classes."""
    from anxin.org.models import SchoolClass

    totals = dict(
        _enrolled()
        .filter(school_id=round_.school_id)
        .values("klass_id")
        .annotate(n=Count("id"))
        .values_list("klass_id", "n")
    )
    done = {
        row["student__klass_id"]: row
        for row in ScreeningRecord.objects.filter(
            round=round_, student__status="enrolled", student__school_id=round_.school_id
        )
        .values("student__klass_id")
        .annotate(
            screened=Count("id", filter=Q(missing_reason="")),
            excused=Count("id", filter=~Q(missing_reason="")),
        )
    }
    rows = []
    for klass in (
        SchoolClass.objects.filter(pk__in=list(totals))
        .select_related("grade")
        .order_by("grade__year", "name")
    ):
        d = done.get(klass.pk, {})
        rows.append(
            _coverage_row({"klass": klass}, totals[klass.pk], d.get("screened", 0), d.get("excused", 0))
        )
    total = sum(r["total"] for r in rows)
    summary = _coverage_row({}, total, sum(r["screened"] for r in rows), sum(r["excused"] for r in rows))
    return {"classes": rows, "summary": summary}


def _coverage_row(base: dict, total: int, screened: int, excused: int) -> dict:
    covered = screened + excused
    return {
        **base,
        "total": total,
        "screened": screened,
        "excused": excused,
        "missing": max(0, total - covered),
        "pct": round(100 * covered / total) if total else 100,
        "complete": covered >= total,
    }


def county_coverage(county_round: CountyRound, school_ids: Iterable[int] | None = None) -> list[dict]:
    """Coverage per school of a county round (counts only)."""
    rounds = {
        r.school_id: r
        for r in county_round.rounds.select_related("school").order_by("school__town", "school__name")
    }
    if school_ids is not None:
        allowed = set(school_ids)
        rounds = {k: v for k, v in rounds.items() if k in allowed}
    totals = dict(
        _enrolled()
        .filter(school_id__in=list(rounds))
        .values("school_id")
        .annotate(n=Count("id"))
        .values_list("school_id", "n")
    )
    done = {
        row["round__school_id"]: row
        for row in ScreeningRecord.objects.filter(
            round__county_round=county_round, student__status="enrolled"
        )
        .values("round__school_id")
        .annotate(
            screened=Count("id", filter=Q(missing_reason="")),
            excused=Count("id", filter=~Q(missing_reason="")),
        )
    }
    out = []
    for sid, r in rounds.items():
        d = done.get(sid, {})
        out.append(
            _coverage_row(
                {"school": r.school, "round": r},
                totals.get(sid, 0),
                d.get("screened", 0),
                d.get("excused", 0),
            )
        )
    return out


@transaction.atomic
def complete_round(*, by, round: ScreeningRound) -> ScreeningRound:  # noqa: A002
    """Close a round: only at 100% coverage, counting students with a recorded reason."""
    _require(by, round, "change")
    round = ScreeningRound.objects.select_for_update().get(pk=round.pk)  # noqa: A001
    if not round.is_open:
        raise ValidationError(_("本轮排查已经完成。"))
    cov = coverage(round)
    gaps = [r for r in cov["classes"] if r["missing"]]
    if gaps:
        detail = "、".join(f"{r['klass']}{r['missing']}人" for r in gaps[:10])
        raise ValidationError(
            _("还有 %(n)d 名学生既未排查、也未填写未能排查原因（%(d)s），不能确认完成。")
            % {"n": cov["summary"]["missing"], "d": detail}
        )
    round.status = ScreeningRound.Status.COMPLETED
    round.completed_at = clock.now()
    round.completed_by = by
    round.save(update_fields=["status", "completed_at", "completed_by", "updated_at"])
    return round


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
            SurveyToken(survey=survey, student_id=sid, code=c)
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


# --- registers (R-SCR-2, R-SCR-3) ------------------------------------------------------------------

# The seed's three (三 第一阶段) and configurable others; ``roster_flag`` fills a category from
# the national roster's fields.
DEFAULT_CATEGORIES = (
    ("left_behind", "留守儿童", True, RosterFlag.LEFT_BEHIND, 10),
    ("introvert", "性格内向", True, RosterFlag.NONE, 20),
    ("poverty", "家境困难", True, RosterFlag.NEEDS_AID, 30),
    ("single_parent", "单亲家庭", False, RosterFlag.NONE, 40),
    ("disability", "残疾", False, RosterFlag.NONE, 50),
    ("migrant", "流动儿童", False, RosterFlag.MIGRANT, 60),
    ("past_victim", "曾受欺凌", False, RosterFlag.NONE, 70),
    ("orphan", "孤儿", False, RosterFlag.ORPHAN, 80),
)


def ensure_categories(county_id: int) -> dict[str, VulnerabilityCategory]:
    """The county's categories by code, creating the default ones once."""
    cats = {c.code: c for c in VulnerabilityCategory.objects.filter(county_id=county_id)}
    missing = [d for d in DEFAULT_CATEGORIES if d[0] not in cats]
    for code, name, builtin, flag, position in missing:
        cat, _created = VulnerabilityCategory.objects.get_or_create(
            county_id=county_id,
            code=code,
            defaults={"name": name, "builtin": builtin, "roster_flag": flag, "position": position},
        )
        cats[code] = cat
    return cats


@transaction.atomic
def save_category(
    *,
    by,
    county,
    code: str,
    name: str,
    active: bool = True,
    position: int = 100,
    category: VulnerabilityCategory | None = None,
) -> VulnerabilityCategory:
    """Add or rename a configurable category. The seed's three cannot be switched off."""
    probe = category or VulnerabilityCategory(county_id=county.pk)
    _require(by, probe, "change")
    if not name.strip():
        raise ValidationError({"name": _("请填写类别名称。")})
    if category is None:
        if VulnerabilityCategory.objects.filter(county=county, code=code).exists():
            raise ValidationError({"code": _("代码已存在。")})
        return VulnerabilityCategory.objects.create(
            county=county, code=code, name=name.strip(), active=active, position=position
        )
    if category.builtin and not active:
        raise ValidationError({"active": _("方案规定的类别不能停用。")})
    category.name, category.active, category.position = name.strip(), active, position
    category.save()
    return category


def _roster_flags(row: dict) -> set[str]:
    flags = set()
    if row.get("left_behind") not in (None, "", "0"):
        flags.add(RosterFlag.LEFT_BEHIND)
    for f in (RosterFlag.MIGRANT, RosterFlag.ORPHAN, RosterFlag.NEEDS_AID):
        if row.get(f):
            flags.add(f)
    return flags


def sync_roster_flags(
    *, student_ids: Iterable[int] | None = None, county_id: int | None = None, recompute: bool = True
) -> dict:
    """Seed the register from the roster's flags (留守儿童, 随迁子女, 孤儿, 需要资助): add an entry
    (source 名册) where a flag is set and none is active; end a 名册 entry whose flag was
    cleared. Works in bulk (demo load, county command) and for one student (roster save)."""
    from anxin.roster.models import Student

    qs = Student.objects.filter(status="enrolled")
    if student_ids is not None:
        qs = qs.filter(pk__in=list(student_ids))
    if county_id is not None:
        qs = qs.filter(county_id=county_id)
    rows = list(qs.values("id", "county_id", "school_id", "left_behind", "migrant", "orphan", "needs_aid"))
    if not rows:
        return {"added": 0, "ended": 0}
    by_county: dict[int, dict[str, VulnerabilityCategory]] = {}
    for cid in {r["county_id"] for r in rows}:
        by_county[cid] = {
            c.roster_flag: c for c in ensure_categories(cid).values() if c.roster_flag and c.active
        }
    cat_ids = {c.pk for cats in by_county.values() for c in cats.values()}
    active: dict[tuple[int, int], VulnerabilityEntry] = {}
    ids = [r["id"] for r in rows]
    for i in range(0, len(ids), 2000):
        for e in VulnerabilityEntry.objects.filter(
            student_id__in=ids[i : i + 2000], category_id__in=cat_ids, ended_on__isnull=True
        ).only("id", "student_id", "category_id", "source"):
            active[(e.student_id, e.category_id)] = e
    today = clock.today()
    new, end_ids, touched = [], [], set()
    for r in rows:
        flags = _roster_flags(r)
        for flag, cat in by_county[r["county_id"]].items():
            entry = active.get((r["id"], cat.pk))
            if flag in flags and entry is None:
                new.append(
                    VulnerabilityEntry(
                        county_id=r["county_id"],
                        school_id=r["school_id"],
                        student_id=r["id"],
                        category=cat,
                        source=EntrySource.ROSTER,
                        note=_("学生名册标记"),
                        started_on=today,
                    )
                )
                touched.add(r["id"])
            elif flag not in flags and entry is not None and entry.source == EntrySource.ROSTER:
                end_ids.append(entry.pk)
                touched.add(r["id"])
    with transaction.atomic():
        VulnerabilityEntry.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
        if end_ids:
            VulnerabilityEntry.objects.filter(pk__in=end_ids).update(
                ended_on=today, end_reason=_("学生名册已取消该标记")
            )
        if new or end_ids:
            audit.append(
                "screening.roster_sync",
                object_type="screening.vulnerabilityentry",
                county_id=rows[0]["county_id"] if len(by_county) == 1 else None,
                school_id=rows[0]["school_id"] if len(rows) == 1 else None,
                data={"added": len(new), "ended": len(end_ids)},
            )
        if recompute:
            schedule_recompute(touched)
    return {"added": len(new), "ended": len(end_ids)}


@transaction.atomic
def add_vulnerability(
    *, by, student, category: VulnerabilityCategory, note: str = "", source: str = EntrySource.MANUAL
) -> VulnerabilityEntry:
    probe = VulnerabilityEntry(county_id=student.county_id, school_id=student.school_id, student=student)
    _require(by, probe, "change")
    if category.county_id != student.county_id or not category.active:
        raise ValidationError({"category": _("类别无效。")})
    if VulnerabilityEntry.objects.filter(student=student, category=category, ended_on__isnull=True).exists():
        raise ValidationError({"category": _("该学生已在此类别的台账中。")})
    return VulnerabilityEntry.objects.create(
        county_id=student.county_id,
        school_id=student.school_id,
        student=student,
        category=category,
        note=note.strip(),
        source=source,
        added_by=by,
    )


@transaction.atomic
def end_vulnerability(*, by, entry: VulnerabilityEntry, reason: str) -> VulnerabilityEntry:
    _require(by, entry, "change")
    if entry.ended_on:
        raise ValidationError(_("该登记已移出台账。"))
    if not reason.strip():
        raise ValidationError({"end_reason": _("请填写移出原因。")})
    entry.ended_on = clock.today()
    entry.end_reason = reason.strip()
    entry.save(update_fields=["ended_on", "end_reason", "updated_at"])
    return entry


@transaction.atomic
def add_tendency(
    *,
    by,
    student,
    grounds: str,
    review_due: dt.date | None = None,
    source: str = EntrySource.MANUAL,
    case_id: int | None = None,
) -> TendencyEntry:
    """Put a student on the bullying-tendency register, or add grounds to their active entry.
    A case adds itself once (idempotent per case)."""
    probe = TendencyEntry(county_id=student.county_id, school_id=student.school_id, student=student)
    _require(by, probe, "change")
    grounds = grounds.strip()
    if not grounds:
        raise ValidationError({"grounds": _("请填写列入依据。")})
    today = clock.today()
    if review_due is not None and review_due <= today:
        raise ValidationError({"review_due": _("复核日期应晚于今天。")})
    entry = (
        TendencyEntry.objects.select_for_update()
        .filter(student=student, status=TendencyEntry.Status.ACTIVE)
        .first()
    )
    if entry is not None:
        if case_id is not None and case_id in entry.case_ids:
            return entry
        entry.grounds = f"{entry.grounds}\n{today:%Y-%m-%d}：{grounds}"
        if case_id is not None:
            entry.case_ids = [*entry.case_ids, case_id]
        if review_due:
            entry.review_due = review_due
        entry.save(update_fields=["grounds", "case_ids", "review_due", "updated_at"])
        return entry
    return TendencyEntry.objects.create(
        county_id=student.county_id,
        school_id=student.school_id,
        student=student,
        grounds=f"{today:%Y-%m-%d}：{grounds}",
        source=source,
        case_ids=[case_id] if case_id else [],
        added_by=by,
        added_on=today,
        review_due=review_due or today + dt.timedelta(days=TENDENCY_REVIEW_DAYS),
    )


@transaction.atomic
def review_tendency(
    *, by, entry: TendencyEntry, outcome: str, note: str, next_review: dt.date | None = None
) -> TendencyReview:
    """Review an entry (定期复核): keep watching until a next review date, or take it off."""
    _require(by, entry, "change")
    entry = TendencyEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status != TendencyEntry.Status.ACTIVE:
        raise ValidationError(_("该学生已移出台账。"))
    if not note.strip():
        raise ValidationError({"note": _("请填写复核情况。")})
    today = clock.today()
    if outcome == TendencyReview.Outcome.KEEP:
        if next_review is None or next_review <= today:
            raise ValidationError({"next_review": _("继续盯防须确定晚于今天的下次复核日期。")})
        entry.review_due = next_review
    elif outcome == TendencyReview.Outcome.CLOSE:
        entry.status = TendencyEntry.Status.CLOSED
        entry.closed_on = today
        entry.closed_reason = note.strip()[:300]
        next_review = None
    else:
        raise ValidationError({"outcome": _("请选择复核结论。")})
    entry.last_reviewed_on = today
    entry.save()
    return TendencyReview.objects.create(
        entry=entry,
        county_id=entry.county_id,
        school_id=entry.school_id,
        reviewed_by=by,
        outcome=outcome,
        note=note.strip(),
        next_review=next_review,
        reviewed_on=today,
    )


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


# --- hazard points, cameras, duty (R-SCR-5, R-SCR-6) -------------------------------------------------

HAZARD_FIELDS = (
    "name",
    "location",
    "kind",
    "time_windows",
    "risk",
    "description",
    "found_on",
    "owner",
    "due_date",
    "status",
    "listed_for_reporters",
)


@transaction.atomic
def save_hazard(*, by, school, data: Mapping[str, Any], hazard: HazardPoint | None = None) -> HazardPoint:
    hazard = hazard or HazardPoint(county_id=school.county_id, school_id=school.pk)
    _require(by, hazard, "change")
    _check_staff(school.pk, data.get("owner"), "owner")
    for f in HAZARD_FIELDS:
        if f in data:
            setattr(hazard, f, data[f])
    if hazard.status != HazardPoint.Status.ELIMINATED and hazard.owner_id is None:
        raise ValidationError({"owner": _("每个隐患点须明确责任人。")})
    hazard.full_clean(exclude=["county", "school"])
    hazard.save()
    return hazard


@transaction.atomic
def add_measure(
    *,
    by,
    hazard: HazardPoint,
    type: str,
    description: str,
    owner=None,  # noqa: A002
    due_date: dt.date | None = None,
) -> HazardMeasure:
    probe = HazardMeasure(county_id=hazard.county_id, school_id=hazard.school_id, hazard=hazard)
    _require(by, probe, "change")
    _check_staff(hazard.school_id, owner, "owner")
    if not description.strip():
        raise ValidationError({"description": _("请填写措施内容。")})
    m = HazardMeasure(
        county_id=hazard.county_id,
        school_id=hazard.school_id,
        hazard=hazard,
        type=type,
        description=description.strip(),
        owner=owner,
        due_date=due_date,
    )
    m.full_clean(exclude=["county", "school", "hazard"])
    m.save()
    return m


@transaction.atomic
def complete_measure(*, by, measure: HazardMeasure, done_on: dt.date | None = None) -> HazardMeasure:
    _require(by, measure, "change")
    measure.done_on = done_on or clock.today()
    measure.save(update_fields=["done_on", "updated_at"])
    return measure


@transaction.atomic
def add_zone(*, by, school, name: str, description: str = "") -> MonitoringZone:
    probe = MonitoringZone(county_id=school.county_id, school_id=school.pk)
    _require(by, probe, "change")
    if not name.strip():
        raise ValidationError({"name": _("请填写区域名称。")})
    if MonitoringZone.objects.filter(school=school, name=name.strip()).exists():
        raise ValidationError({"name": _("区域名称已存在。")})
    return MonitoringZone.objects.create(
        county_id=school.county_id, school=school, name=name.strip(), description=description.strip()
    )


@transaction.atomic
def save_camera(*, by, school, data: Mapping[str, Any], camera: Camera | None = None) -> Camera:
    camera = camera or Camera(county_id=school.county_id, school_id=school.pk)
    _require(by, camera, "change")
    zone = data.get("zone")
    if zone is not None and zone.school_id != school.pk:
        raise ValidationError({"zone": _("区域不属于本校。")})
    covers = list(data.get("covers") or [])
    if any(h.school_id != school.pk for h in covers):
        raise ValidationError({"covers": _("隐患点不属于本校。")})
    for f in ("name", "zone", "location", "working"):
        if f in data:
            setattr(camera, f, data[f])
    if not (camera.name or "").strip():
        raise ValidationError({"name": _("请填写摄像头名称或编号。")})
    camera.save()
    if "covers" in data:
        camera.covers.set(covers)
    return camera


@transaction.atomic
def save_shift(*, by, school, data: Mapping[str, Any], shift: DutyShift | None = None) -> DutyShift:
    shift = shift or DutyShift(county_id=school.county_id, school_id=school.pk)
    _require(by, shift, "change")
    _check_staff(school.pk, data.get("person"), "person")
    days = "".join(sorted({d for d in str(data.get("weekdays", shift.weekdays) or "") if d in "1234567"}))
    if not days:
        raise ValidationError({"weekdays": _("请填写值守的星期（1–7）。")})
    for f in ("period", "start_time", "end_time", "zone", "person", "note", "active"):
        if f in data:
            setattr(shift, f, data[f])
    shift.weekdays = days
    if shift.start_time == shift.end_time:
        raise ValidationError({"end_time": _("结束时间不能与开始时间相同。")})
    if shift.zone_id and shift.zone.school_id != school.pk:
        raise ValidationError({"zone": _("区域不属于本校。")})
    shift.save()
    return shift


def _raise_concern(*, by, school, text: str, place: str, log_entry: DutyLog):
    """Hand a 苗头 to intake's triage inbox (``screening.hooks``); without intake, tell the
    safety leader directly."""
    from anxin.screening import hooks

    raise_concern = hooks.concern_sink()
    if raise_concern is not None:
        try:
            with transaction.atomic():
                return raise_concern(
                    by=by, school=school, text=text, source="monitoring", place=place, flagged_from=log_entry
                )
        except (ValidationError, PermissionDenied, TypeError) as exc:
            log.warning("raise_concern refused duty log %s: %s", log_entry.pk, type(exc).__name__)
    from anxin.core.notify import notify

    notify(
        safety_leaders(school.pk),
        kind="monitoring_sign",
        title=_("监控值守发现苗头，请及时处置"),
        body=_("值守记录第 %(id)s 号标记为苗头：%(text)s") % {"id": log_entry.pk, "text": text[:200]},
        url=reverse("screening:dutylog_list"),
        dedupe_key=f"monitoring_sign:{log_entry.pk}",
        school=school,
    )
    return None


@transaction.atomic
def log_duty(
    *, by, school, summary: str, is_sign: bool = False, place: str = "", zone=None, shift=None, at=None
) -> DutyLog:
    """A duty log entry; one flagged 苗头 becomes a concern for triage (及时报告，及早处置)."""
    entry = DutyLog(county_id=school.county_id, school_id=school.pk)
    _require(by, entry, "change")
    if not summary.strip():
        raise ValidationError({"summary": _("请填写值守情况。")})
    for obj, field in ((zone, "zone"), (shift, "shift")):
        if obj is not None and obj.school_id != school.pk:
            raise ValidationError({field: _("不属于本校。")})
    entry.summary, entry.is_sign, entry.place = summary.strip(), is_sign, place.strip()
    entry.zone, entry.shift, entry.logged_by = zone, shift, by
    entry.at = at or clock.now()
    entry.save()
    if is_sign:
        where = entry.place or (zone.name if zone else "")
        concern = _raise_concern(
            by=by,
            school=school,
            text=_("【监控值守发现苗头】%(s)s") % {"s": entry.summary},
            place=where,
            log_entry=entry,
        )
        if concern is not None and getattr(concern, "pk", None):
            entry.concern_id = concern.pk
            entry.save(update_fields=["concern_id", "updated_at"])
    return entry


# --- problems and rectification (R-SCR-7) -------------------------------------------------------------

RECTIFICATION_FIELDS = (
    "found_on",
    "source",
    "problem",
    "measure",
    "owner",
    "due_date",
    "status",
    "evidence",
    "hazard",
)


@transaction.atomic
def save_rectification(
    *, by, school, data: Mapping[str, Any], item: Rectification | None = None
) -> Rectification:
    item = item or Rectification(county_id=school.county_id, school_id=school.pk)
    _require(by, item, "change")
    _check_staff(school.pk, data.get("owner"), "owner")
    hazard = data.get("hazard")
    if hazard is not None and hazard.school_id != school.pk:
        raise ValidationError({"hazard": _("隐患点不属于本校。")})
    for f in RECTIFICATION_FIELDS:
        if f in data:
            setattr(item, f, data[f])
    if item.status == Rectification.Status.DONE:
        if not (item.evidence or "").strip():
            raise ValidationError(
                {"evidence": _("标记完成须填写完成佐证（做了什么、效果如何、材料存放位置）。")}
            )
        item.done_on = item.done_on or clock.today()
    else:
        item.done_on = None
    item.full_clean(exclude=["county", "school"])
    item.save()
    return item


# --- counts for the bureau (de-identified, LAW 19) -----------------------------------------------------


def counts_by_school(school_ids: list[int]) -> dict[int, dict]:
    """Figures per school, no names: enrolled students, students in the vulnerability
    register (and per category), tendency register, risk levels, open hazard points and
    rectifications. One GROUP BY query each."""
    out: dict[int, dict] = {
        sid: {
            "students": 0,
            "vulnerable": 0,
            "by_category": {},
            "tendency": 0,
            "levels": dict.fromkeys(risk_rules.LEVELS, 0),
            "hazards_open": 0,
            "rectifications_open": 0,
        }
        for sid in school_ids
    }
    enrolled = Q(student__status="enrolled")
    for sid, n in (
        _enrolled()
        .filter(school_id__in=school_ids)
        .values("school_id")
        .annotate(n=Count("id"))
        .values_list("school_id", "n")
    ):
        out[sid]["students"] = n
    active_vuln = VulnerabilityEntry.objects.filter(enrolled, school_id__in=school_ids, ended_on__isnull=True)
    for sid, n in (
        active_vuln.values("school_id")
        .annotate(n=Count("student_id", distinct=True))
        .values_list("school_id", "n")
    ):
        out[sid]["vulnerable"] = n
    for sid, cat, n in (
        active_vuln.values("school_id", "category_id")
        .annotate(n=Count("id"))
        .values_list("school_id", "category_id", "n")
    ):
        out[sid]["by_category"][cat] = n
    for sid, n in (
        TendencyEntry.objects.filter(enrolled, school_id__in=school_ids, status=TendencyEntry.Status.ACTIVE)
        .values("school_id")
        .annotate(n=Count("id"))
        .values_list("school_id", "n")
    ):
        out[sid]["tendency"] = n
    from anxin.screening.models import RiskState

    for sid, level, n in (
        RiskState.objects.filter(enrolled, school_id__in=school_ids)
        .values("school_id", "level")
        .annotate(n=Count("id"))
        .values_list("school_id", "level", "n")
    ):
        out[sid]["levels"][level] = n
    for sid, n in (
        HazardPoint.objects.filter(school_id__in=school_ids)
        .exclude(status=HazardPoint.Status.ELIMINATED)
        .values("school_id")
        .annotate(n=Count("id"))
        .values_list("school_id", "n")
    ):
        out[sid]["hazards_open"] = n
    for sid, n in (
        Rectification.objects.filter(school_id__in=school_ids)
        .exclude(status=Rectification.Status.DONE)
        .values("school_id")
        .annotate(n=Count("id"))
        .values_list("school_id", "n")
    ):
        out[sid]["rectifications_open"] = n
    for row in out.values():
        # risk states are written when the engine first runs; the rest are 绿
        row["levels"][risk_rules.GREEN] += max(0, row["students"] - sum(row["levels"].values()))
    return out


def counts_by_class(school_id: int) -> list[dict]:
    """Drill-down for one school: the same figures per class (still no names)."""
    from anxin.org.models import SchoolClass
    from anxin.screening.models import RiskState

    enrolled = Q(student__status="enrolled", student__school_id=school_id)
    classes = list(
        SchoolClass.objects.filter(school_id=school_id)
        .select_related("grade")
        .order_by("grade__year", "name")
    )
    rows = {
        c.pk: {
            "klass": c,
            "students": 0,
            "vulnerable": 0,
            "by_category": {},
            "tendency": 0,
            "levels": dict.fromkeys(risk_rules.LEVELS, 0),
        }
        for c in classes
    }
    for kid, n in (
        _enrolled()
        .filter(school_id=school_id)
        .values("klass_id")
        .annotate(n=Count("id"))
        .values_list("klass_id", "n")
    ):
        if kid in rows:
            rows[kid]["students"] = n
    vuln = VulnerabilityEntry.objects.filter(enrolled, ended_on__isnull=True)
    for kid, n in (
        vuln.values("student__klass_id")
        .annotate(n=Count("student_id", distinct=True))
        .values_list("student__klass_id", "n")
    ):
        if kid in rows:
            rows[kid]["vulnerable"] = n
    for kid, cat, n in (
        vuln.values("student__klass_id", "category_id")
        .annotate(n=Count("id"))
        .values_list("student__klass_id", "category_id", "n")
    ):
        if kid in rows:
            rows[kid]["by_category"][cat] = n
    for kid, n in (
        TendencyEntry.objects.filter(enrolled, status=TendencyEntry.Status.ACTIVE)
        .values("student__klass_id")
        .annotate(n=Count("id"))
        .values_list("student__klass_id", "n")
    ):
        if kid in rows:
            rows[kid]["tendency"] = n
    for kid, level, n in (
        RiskState.objects.filter(enrolled)
        .values("student__klass_id", "level")
        .annotate(n=Count("id"))
        .values_list("student__klass_id", "level", "n")
    ):
        if kid in rows:
            rows[kid]["levels"][level] = n
    for row in rows.values():
        row["levels"][risk_rules.GREEN] += max(0, row["students"] - sum(row["levels"].values()))
    return [r for r in rows.values() if r["students"]]
