"""Demo data for 监督岗与问责, entered through the services (so every rule and audit event is
real): posts at several hazard points of two schools, shifts Monday to Friday with a teacher
and a 学生安全员 (the demo class teacher stands one every weekday; one shift of the second school
has only a student: a gap, a duty for its safety leader), a few observations of the past days
(one flagged: a 苗头 in the triage inbox); the county's thresholds tuned so the list for 通报约谈
holds a handful of rows, and an interview recorded for one class over the threshold."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from anxin.core import clock
from anxin.core.roles import Role
from anxin.oversight import services
from anxin.oversight.accountability import compute, term_of
from anxin.oversight.models import ActionKind, Level

SLOTS = (
    (dt.time(10, 0), dt.time(10, 30)),
    (dt.time(12, 10), dt.time(12, 50)),
    (dt.time(16, 40), dt.time(17, 10)),
)
NOTES = [
    "大课间秩序正常，学生有序通行",
    "午间巡查，未发现异常",
    "放学时段学生有序离开",
    "提醒两名学生不要追逐打闹",
]
FLAGGED = "两名初二男生围住一名初一学生索要零花钱，见到老师后散开，学生安全员认出了其中一人"
MAX_ROWS = 6


def _holders(school_id: int, role: str) -> list:
    from anxin.accounts.models import Membership

    return [
        m.user
        for m in Membership.objects.active()
        .filter(school_id=school_id, role=role, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    ]


def _posts(school, rng: random.Random, counts: dict, *, teacher=None, leave_gap=False) -> None:
    from anxin.org.models import SafetyOfficer
    from anxin.screening.models import HazardPoint

    leader = (_holders(school.pk, Role.SAFETY_LEADER) or [None])[0]
    if leader is None:
        return
    teachers = _holders(school.pk, Role.CLASS_TEACHER) + _holders(school.pk, Role.SUBJECT_TEACHER)
    officers = list(SafetyOfficer.objects.filter(school=school, ended_on__isnull=True).order_by("pk")[:12])
    hazards = list(HazardPoint.objects.filter(school=school).order_by("pk")[:4])
    posts = [
        services.save_post(by=leader, school=school, data={"name": f"{h.name}监督岗", "hazard": h})
        for h in hazards
    ]
    posts.append(
        services.save_post(
            by=leader,
            school=school,
            data={"name": "校门口护学岗", "place": "校门口", "duties": "上下学时段护学"},
        )
    )
    counts["posts"] += len(posts)
    for i, post in enumerate(posts):
        start, end = SLOTS[i % len(SLOTS)]
        for day in range(1, 6):
            staff = (
                teacher
                if (teacher is not None and i == 0)
                else (rng.choice(teachers) if teachers else leader)
            )
            officer = officers[(i * 5 + day) % len(officers)] if officers else None
            if leave_gap and i == len(posts) - 1 and day == 5 and officer is not None:
                staff = None  # only a student on Friday: a gap
            services.save_shift(
                by=leader,
                post=post,
                data={
                    "weekday": day,
                    "start_time": start,
                    "end_time": end,
                    "staff": staff,
                    "officer": officer,
                },
            )
            counts["shifts"] += 1
    if teacher is not None and posts:
        now = clock.now()
        for d, note in enumerate(NOTES[:3], start=1):
            services.record_observation(
                by=teacher, post=posts[0], summary=note, at=now - dt.timedelta(days=d, hours=2)
            )
            counts["observations"] += 1
        services.record_observation(
            by=teacher, post=posts[0], summary=FLAGGED, flagged=True, at=now - dt.timedelta(hours=3)
        )
        counts["observations"] += 1
        counts["flagged"] += 1


def _tune(county, bureau) -> list:
    """Thresholds that keep the demo list to a handful of rows (3 to 6, at least one class):
    the strictest-looking candidate that does, else the one closest to four rows."""
    import itertools

    term = term_of(clock.today())
    best, best_key = None, None
    for severe, c, extra, s, r in itertools.product(
        (True, False), (2, 3, 4, 5), (1, 2, 3), (5, 8, 11), (2, 3)
    ):
        data = {
            "class_cases": c,
            "grade_cases": c + extra,
            "school_cases": s,
            "severe_any": severe,
            "repeat_bully_cases": r,
        }
        rows = compute_with(county.pk, term, data)
        if not any(x.level == Level.CLASS for x in rows):
            continue
        key = (0 if 3 <= len(rows) <= MAX_ROWS else 1, abs(len(rows) - 4))
        if best_key is None or key < best_key:
            best, best_key = data, key
        if key[0] == 0:
            break
    services.update_setting(by=bureau, county_id=county.pk, data=best or {})
    return compute(county.pk, None, term)


def compute_with(county_id: int, term, data: dict) -> list:
    """The list as it would be under ``data`` (nothing saved)."""
    setting = services.setting_for(county_id)
    for k, v in data.items():
        setattr(setting, k, v)
    return compute(county_id, None, term, setting=setting)


def load_oversight(
    county, rng: random.Random, *, schools: tuple[str, ...] = (), demo_teacher: str = ""
) -> dict:
    from anxin.accounts.models import Membership, User
    from anxin.org.models import School

    counts = {"posts": 0, "shifts": 0, "observations": 0, "flagged": 0, "list_rows": 0, "actions": 0}
    picked = list(School.objects.filter(county=county, name__in=schools).order_by("code"))
    if not picked:
        picked = list(School.objects.filter(county=county, active=True).order_by("code")[:2])
    teacher = User.objects.filter(username=demo_teacher).first() if demo_teacher else None
    for i, school in enumerate(picked):
        mine = (
            teacher
            if teacher is not None
            and Membership.objects.active().filter(user=teacher, school=school).exists()
            else None
        )
        with transaction.atomic():
            _posts(school, rng, counts, teacher=mine, leave_gap=i == len(picked) - 1)
    bureau = (
        Membership.objects.active()
        .filter(county=county, role=Role.BUREAU_SAFETY)
        .select_related("user")
        .first()
    )
    if bureau is None:
        return counts
    with transaction.atomic():
        rows = _tune(county, bureau.user)
        counts["list_rows"] = len(rows)
        row = next((r for r in rows if r.level == Level.CLASS), None)
        if row is not None:
            owner = (
                Membership.objects.active()
                .filter(klass_id=row.klass_id, role=Role.CLASS_TEACHER)
                .select_related("user")
                .first()
            )
            owner = owner.user if owner else (_holders(row.school_id, Role.PRINCIPAL) or [None])[0]
            if owner is not None:
                school = School.objects.get(pk=row.school_id)
                from anxin.org.models import SchoolClass

                services.save_action(
                    by=bureau.user,
                    school=school,
                    data={
                        "kind": ActionKind.INTERVIEW,
                        "level": Level.CLASS,
                        "klass": SchoolClass.objects.select_related("grade").get(pk=row.klass_id),
                        "reason": "；".join(row.reasons),
                        "cases": "、".join(row.case_list)[:400],
                        "decided_on": clock.today() - dt.timedelta(days=3),
                        "interviewees": f"{row.target}班主任 {owner.real_name or owner.username}；分管安全副校长",
                        "interviewers": "县教体局安全股",
                        "agreed": "一、本周内召开防欺凌主题班会；二、课间、午间在楼梯口和厕所增设监督岗；三、两周内逐一家访涉事学生家庭。",
                        "owner": owner,
                        "follow_up_due": clock.today() + dt.timedelta(days=11),
                    },
                )
                counts["actions"] += 1
    return counts
