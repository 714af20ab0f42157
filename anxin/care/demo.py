"""Care data for the demo county: plans, contacts, counselling, 同学互助 pairs and contact
teachers for part of the county, written through the services (so the audit trail, due dates
and tasks are what real use would produce). Called by the demo loader:
``load_care(county, rng)``. Deterministic for a given ``rng`` and database."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from anxin.care import services
from anxin.care.models import CarePlan, ContactKind
from anxin.core import clock
from anxin.core.roles import Role

SCHOOLS = 4  # schools of the county that get care data
PLANS_PER_SCHOOL = 12
WATCH_PER_SCHOOL = 2
CLASSES_WITH_MECHANISMS = 2  # classes per school with contact teachers for everyone

REASONS = [
    "双亲留守，由祖父母照看",
    "单亲留守，性格内向，课间常独处",
    "家境困难，近期情绪低落",
    "排查中同学关系评价较差",
    "曾受同学言语欺凌，需持续关注",
    "转学新生，尚未融入班级",
]
TALKS = [
    "课间谈心，学生说最近和同桌相处融洽，学习压力较大。",
    "午休时谈话，学生提到周末在家帮忙干农活，情绪平稳。",
    "谈心谈话，学生不愿多说，答应下周再谈。",
    "了解宿舍生活，学生说舍友关系一般，没有发生冲突。",
    "谈学习计划，学生对数学没有信心，已约任课教师辅导。",
]
HOME = [
    "家访，见到祖母，了解学生在家的作息，家长表示会多关心。",
    "电话联系父亲（外出务工），告知学生在校情况，约定每周通话。",
    "母亲来校沟通，谈到孩子回家不爱说话，建议多陪伴。",
]
ANOMALIES = [
    ("谈心时学生说放学路上被高年级学生拦住要钱。", "疑似被索要财物，需核实并通知家长"),
    ("学生手臂有淤青，不愿说明原因。", "身体有伤且回避解释，需进一步了解"),
]
CHECKINS = [
    "盯防回访，本周未发现与同学冲突，已提醒其注意言行。",
    "与其谈话，讲明欺凌的后果，学生表示会改正。",
]
NEXT = ["下周继续谈心", "联系家长", "请心理教师关注", "观察课间表现", ""]


def _holders(school_id: int, role: str):
    from anxin.accounts.models import Membership

    return [
        m.user
        for m in Membership.objects.active()
        .filter(school_id=school_id, role=role, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    ]


def _at(rng: random.Random, days_back: int) -> dt.datetime:
    """A school-hours moment ``days_back`` days ago (never in the future)."""
    day = clock.today() - dt.timedelta(days=days_back)
    hour = rng.choice([8, 10, 12, 14, 16])
    moment = dt.datetime.combine(day, dt.time(hour, rng.choice([0, 15, 30, 45])), tzinfo=clock.SHANGHAI)
    return min(moment, clock.now() - dt.timedelta(minutes=10))


def load_care(county, rng: random.Random) -> dict:
    """Create care data for a few schools of ``county``; returns counts."""
    from anxin.org.models import School, SchoolClass
    from anxin.roster.models import Student, StudentStatus

    counts = {"plans": 0, "contacts": 0, "sessions": 0, "tasks": 0, "pairs": 0, "contact_teachers": 0}
    schools = list(School.objects.filter(county=county, active=True).order_by("code", "pk"))
    done = 0
    for school in schools:
        if done >= SCHOOLS:
            break
        leaders = _holders(school.pk, Role.SAFETY_LEADER)
        if not leaders:
            continue
        leader = leaders[0]
        counsellors = _holders(school.pk, Role.COUNSELLOR)
        students = list(
            Student.objects.filter(school=school, status=StudentStatus.ENROLLED)
            .select_related("klass__grade")
            .order_by("pk")[:2000]
        )
        if len(students) < PLANS_PER_SCHOOL:
            continue
        done += 1
        at_risk = [s for s in students if s.left_behind != "0" or s.needs_aid or s.orphan] or students
        chosen = rng.sample(at_risk, min(PLANS_PER_SCHOOL, len(at_risk)))
        teachers = {}
        for i, student in enumerate(chosen):
            with transaction.atomic():
                _one_plan(student, i, leader, counsellors, teachers, rng, counts)
        _mechanisms(school, students, leader, rng, counts, SchoolClass)
    from anxin.care.models import InterventionTask

    counts["tasks"] = InterventionTask.objects.filter(county=county).count()
    return counts


def _class_teacher(student, leader, cache: dict):
    if student.klass_id not in cache:
        cache[student.klass_id] = services.default_owner(student) or leader
    return cache[student.klass_id]


def _one_plan(student, i, leader, counsellors, teachers, rng, counts) -> None:
    watch = i < WATCH_PER_SCHOOL
    level = "orange" if watch else rng.choice(["red", "orange", "orange", "yellow", "yellow", "yellow"])
    plan = services.create_plan(
        leader,
        student,
        kind=CarePlan.Kind.WATCH if watch else CarePlan.Kind.CARE,
        level=level,
        measures=["watch", "talk"]
        if watch
        else rng.sample(["talk", "home_visit", "peer_help", "counselling"], 2),
        reason="欺凌事件中的实施方，纳入重点盯防" if watch else rng.choice(REASONS),
        starts_on=clock.today() - dt.timedelta(days=rng.randint(35, 58)),
    )
    counts["plans"] += 1
    teacher = _class_teacher(student, leader, teachers)
    back = sorted(rng.sample(range(1, 34), rng.randint(1, 4)), reverse=True)
    for n, days_back in enumerate(back):
        if watch:
            kind, summary = ContactKind.CHECKIN, rng.choice(CHECKINS)
        elif n % 2:
            kind, summary = rng.choice([ContactKind.HOME_VISIT, ContactKind.PHONE_VISIT]), rng.choice(HOME)
        else:
            kind, summary = ContactKind.TALK, rng.choice(TALKS)
        anomaly = not watch and i in (2, 5) and n == len(back) - 1
        note = ""
        if anomaly:
            summary, note = ANOMALIES[i % 2]
        services.log_contact(
            teacher,
            plan=plan,
            kind=kind,
            summary=summary,
            next_step=rng.choice(NEXT),
            occurred_at=_at(rng, days_back),
            anomaly=anomaly,
            anomaly_note=note,
        )
        counts["contacts"] += 1
    if counsellors and (level == "red" or "counselling" in plan.measures):
        services.record_counselling(
            counsellors[0],
            student=student,
            plan=plan,
            held_at=_at(rng, rng.randint(2, 20)),
            duration_minutes=rng.choice([30, 40, 45]),
            notes="（演示数据）学生谈到与同学相处的困扰，情绪较为低落；建议班主任多关注课间状态，两周后复谈。",
            next_on=clock.today() + dt.timedelta(days=14),
        )
        counts["sessions"] += 1


def _mechanisms(school, students, leader, rng, counts, SchoolClass) -> None:
    """师生联系 for every student of a couple of classes (leaving gaps elsewhere on purpose),
    同学互助 pairs and some home-school contacts."""
    by_class: dict[int, list] = {}
    for s in students:
        by_class.setdefault(s.klass_id, []).append(s)
    klass_ids = sorted(by_class)[:CLASSES_WITH_MECHANISMS]
    teachers: dict = {}
    for klass_id in klass_ids:
        members = by_class[klass_id]
        teacher = _class_teacher(members[0], leader, teachers)
        klass = SchoolClass.objects.get(pk=klass_id)
        with transaction.atomic():
            counts["contact_teachers"] += services.assign_unassigned(leader, klass, teacher)
            shuffled = members[:]
            rng.shuffle(shuffled)
            for a, b in list(zip(shuffled[0::2], shuffled[1::2], strict=False))[:3]:
                services.add_peer_pair(leader, a, b, "同桌互助")
                counts["pairs"] += 1
            for s in rng.sample(members, max(1, len(members) * 2 // 3)):
                services.log_contact(
                    teacher,
                    student=s,
                    kind=rng.choice(
                        [ContactKind.PHONE_VISIT, ContactKind.HOME_VISIT, ContactKind.PARENT_MEETING]
                    ),
                    summary=rng.choice(HOME),
                    occurred_at=_at(rng, rng.randint(1, 40)),
                )
                counts["contacts"] += 1
