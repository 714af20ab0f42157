"""The demo roles' 工作台 (issue 11): after the modules' demo data, leave the flagship school
(贺兰县第一中学) with some work of each kind waiting, some of it late, so every demo login
opens on a to-do list rather than an empty page:

- 初一1班 (the demo class teacher's) still has a few students to screen in the open round, due
  within the week; one other school is past its screening deadline (the bureau may 催办 it);
- the two students of 初一1班 at the highest risk are in care: one contact overdue (the
  principal sees it and may 催办), and an intervention task from an anomaly found on a home
  visit;
- one investigation is past its time limit (LAW 6);
- a case is referred to the demo legal vice-principal.

Everything goes through the modules' services except the dates that stand for time having
passed (a deadline moved into the past), which are set directly.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Case, Value, When

from anxin.core import clock


@transaction.atomic
def load_workload(county) -> dict:
    from anxin.accounts.models import User
    from anxin.care import services as care
    from anxin.care.models import CarePlan
    from anxin.cases import services as cases
    from anxin.cases.models import BullyingCase, CaseState, Investigation
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
    vp = User.objects.filter(username="demo_legalvp").first()
    case = BullyingCase.objects.filter(school=school, state=CaseState.FOLLOW_UP).order_by("id").first()
    if vp is not None and case is not None and case.owner is not None:
        cases.refer_case(case, by=case.owner, to_user=vp, purpose="对实施欺凌学生进行警示教育")
        out["referral"] = case.number
    return out
