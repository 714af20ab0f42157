"""The demo roles' 工作台 (issue 11): after the modules' demo data, leave the flagship school
(贺兰县第一中学) with some work of each kind waiting, some of it late, so every demo login
opens on a to-do list rather than an empty page:

- 初一1班 (the demo class teacher's) still has a few students to screen in the open round, due
  within the week; one other school is past its screening deadline (the bureau may 催办 it);
- the two students of 初一1班 at the highest risk are in care: one contact overdue (the
  principal sees it and may 催办), and an intervention task from an anomaly found on a home
  visit;
- one investigation is past its time limit (LAW 6);
- the school's 红 students have care plans (the counsellor's), all but one, flagged two days
  ago: the principal sees it overdue (risk → action, 24 hours);
- a case is referred to the demo legal vice-principal (its outcome overdue) and another to the
  county's police liaison (new).

Everything goes through the modules' services except the dates that stand for time having
passed (a deadline moved into the past), which are set directly.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Value, When

from anxin.core import clock


@transaction.atomic
def load_workload(county) -> dict:
    from anxin.accounts.models import User
    from anxin.care import services as care
    from anxin.care.models import CarePlan
    from anxin.cases.models import CaseState, Investigation
    from anxin.org.models import School, SchoolClass
    from anxin.roster.models import Student
    from anxin.screening.models import ScreeningRecord, ScreeningRound

    out = {}
    today = clock.today()
    school = School.objects.filter(county=county, name="贺兰县第一中学").first()
    if school is None:
        return out
    leader = User.objects.filter(username="hl1z_safety").first()
    teacher = User.objects.filter(username="hl1z_ct_7_1").first()
    klass = SchoolClass.objects.filter(school=school, grade__name="初一", name="1班").first()
    if leader is None or teacher is None or klass is None:
        return out

    # screening: four students of 初一1班 not yet screened; another school past its deadline
    rnd = ScreeningRound.objects.filter(school=school, status=ScreeningRound.Status.OPEN).first()
    if rnd is not None:
        rows = ScreeningRecord.objects.filter(round=rnd, klass=klass).order_by("-id")[:4]
        out["unscreened"] = len([r.delete() for r in rows])
        if rnd.deadline > today + dt.timedelta(days=6):
            ScreeningRound.objects.filter(pk=rnd.pk).update(deadline=today + dt.timedelta(days=6))
    late = (
        ScreeningRound.objects.filter(county=county, status=ScreeningRound.Status.OPEN)
        .exclude(school=school)
        .order_by("school__name")
        .first()
    )
    if late is not None:
        ScreeningRound.objects.filter(pk=late.pk).update(deadline=today - dt.timedelta(days=2))
        out["late_school"] = late.school.name

    # care: two students of 初一1班, one contact overdue, one anomaly → intervention task
    # the class's students at the highest risk first (their plans are what the risk calls for)
    rank = Case(
        When(risk_state__level="red", then=Value(0)),
        When(risk_state__level="orange", then=Value(1)),
        When(risk_state__level="yellow", then=Value(2)),
        default=Value(3),
    )
    students = list(
        Student.objects.filter(klass=klass, status="enrolled").annotate(rank=rank).order_by("rank", "id")[:2]
    )
    plans = []
    for st, level, why in zip(
        students, ("orange", "red"), ("留守儿童，近期情绪低落", "同学关系紧张，被孤立"), strict=False
    ):
        if not CarePlan.objects.filter(student=st, status=CarePlan.Status.ACTIVE).exists():
            plans.append(care.create_plan(leader, st, level=level, reason=why, owner=teacher))
    if plans:
        CarePlan.objects.filter(pk=plans[0].pk).update(next_due_on=today - dt.timedelta(days=3))
        care.log_contact(
            teacher,
            plan=plans[-1],
            kind="home_visit",
            summary="家访，奶奶说孩子最近回家不愿说话。",
            anomaly=True,
            anomaly_note="手臂有淤青，说是摔的",
        )
        out["care_plans"] = len(plans)

    # cases: one investigation past its limit; a referral to the legal vice-principal
    inv = (
        Investigation.objects.filter(
            case__school=school, finished_at__isnull=True, case__state=CaseState.INVESTIGATING
        )
        .order_by("id")
        .first()
    )
    if inv is not None:
        Investigation.objects.filter(pk=inv.pk).update(due_at=clock.now() - dt.timedelta(days=1))
        out["late_investigation"] = inv.case.number
    out.update(_referrals(county, school))
    out.update(_red_students(school, leader))
    return out


def _referrals(county, school) -> dict:
    """The legal vice-principal's referral waits past its two weeks; the police liaison's is new.
    Each goes with a case in 处置 or 回访 of a school they serve (one is taken there if none is)."""
    from anxin.accounts.models import Membership, User
    from anxin.cases import scenarios
    from anxin.cases import services as cases
    from anxin.cases.duties import REFERRAL_OUTCOME_DAYS
    from anxin.cases.models import BullyingCase, CaseReferral, CaseState
    from anxin.core.roles import Role
    from anxin.roster.models import Student

    out = {}
    used: set[int] = set()
    for who, purpose, late in (
        ("demo_legalvp", "对实施欺凌学生进行警示教育", True),
        ("demo_police", "对实施欺凌学生予以训诫，必要时依法处置", False),
    ):
        to = User.objects.filter(username=who).first()
        if to is None:
            continue
        posts = Membership.objects.active().filter(user=to)
        serves = BullyingCase.objects.filter(county=county)
        if not posts.filter(role=Role.PARTNER_LIAISON).exists():
            serves = serves.filter(school__in=posts.filter(role=Role.LEGAL_VP).values("school"))
        case = (
            serves.filter(state__in=[CaseState.FOLLOW_UP, CaseState.HANDLING], owner__isnull=False)
            .exclude(pk__in=used)
            .annotate(here=Case(When(school=school, then=Value(0)), default=Value(1)))
            .order_by("here", "id")
            .first()
        )
        if case is None:  # none yet: one is taken to 处置 at the flagship school, or one they serve
            served = set(posts.filter(role=Role.LEGAL_VP).values_list("school", flat=True))
            at = school.pk if (not served or school.pk in served) else min(served)
            case = _case_to_refer(at, scenarios, Student)
            if case is None:
                continue
        used.add(case.pk)
        try:
            r = cases.refer_case(case, by=case.owner, to_user=to, purpose=purpose)
        except ValidationError:  # not one they serve: left out
            continue
        if late:
            back = clock.now() - dt.timedelta(days=REFERRAL_OUTCOME_DAYS + 3)
            CaseReferral.objects.filter(pk=r.pk).update(referred_at=back)
        out[f"referral_{who}"] = case.number
    return out


def _case_to_refer(school, scenarios, Student):
    """A case of ``school`` (its id) taken on to 处置 through the services: one still before
    处置 if there is one, else a new one."""
    from anxin.accounts.models import Membership
    from anxin.cases.models import BullyingCase, CaseState
    from anxin.core.roles import Role

    if school is None:
        return None
    school_id = getattr(school, "pk", school)
    posts = {m.role: m.user for m in Membership.objects.active().filter(school_id=school_id)}
    manager = posts.get(Role.MIDDLE_MANAGER) or posts.get(Role.SAFETY_LEADER)
    leader = posts.get(Role.SAFETY_LEADER) or posts.get(Role.PRINCIPAL)
    pupils = list(Student.objects.filter(school_id=school_id, status="enrolled").order_by("pk")[:2])
    if manager is None or leader is None or len(pupils) < 2:
        return None
    from anxin.org.models import School

    before = [CaseState.REGISTERED, CaseState.STOPPED, CaseState.NOTIFYING, CaseState.INVESTIGATING]
    case = (
        BullyingCase.objects.filter(school_id=school_id, state__in=before, report_required=False)
        .order_by("id")
        .first()
    ) or scenarios.open_simple(School.objects.get(pk=school_id), manager, victim=pupils[0], bully=pupils[1])
    try:
        scenarios.drive(case, manager, CaseState.HANDLING, leader=leader, result="serious")
    except ValidationError:
        return None
    return case


def _red_students(school, leader) -> dict:
    """Risk → action as a school that keeps up would show it: every 红 student has a plan with
    the counsellor, except the one flagged most recently (two days ago: overdue for the
    principal)."""
    from anxin.care import services as care
    from anxin.care.models import CarePlan
    from anxin.screening.models import RiskAssessment, RiskState

    reds = list(
        RiskState.objects.filter(school=school, level="red", student__status="enrolled")
        .select_related("student")
        .order_by("-changed_at", "-pk")
    )
    if not reds:
        return {}
    without, rest = reds[0], reds[1:]
    CarePlan.objects.filter(student=without.student, status=CarePlan.Status.ACTIVE).delete()
    two_days = clock.now() - dt.timedelta(days=2)
    RiskState.objects.filter(pk=without.pk).update(changed_at=two_days)
    RiskAssessment.objects.filter(student=without.student, level="red").update(at=two_days)
    counsellor = care.staff_choices(school.pk).filter(memberships__role="counsellor").first()
    planned = 0
    for st in rest:
        if not CarePlan.objects.filter(student=st.student, status=CarePlan.Status.ACTIVE).exists():
            owner = counsellor or care.default_owner(st.student) or leader
            care.create_plan(
                leader, st.student, level="red", reason="风险研判为红色，纳入重点关爱", owner=owner
            )
        planned += 1
    return {"red_with_plan": planned, "red_without_plan": 1}
