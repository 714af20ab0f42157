"""Reporting-channel data for the demo county: anonymous reports in every triage state (some
naming the school's own places), replies and reporters' follow-ups, a merged duplicate, a
report closed with its reason, staff concerns and an answered emergency call — all written
through the services, so notifications, triage events and the audit trail are what real use
produces. Called by the demo loader after the screening data (which makes the schools'
places): ``load_intake(county, rng, first_school=…)``. Deterministic for a given ``rng`` and database."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from anxin.core.roles import Role
from anxin.intake import services
from anxin.intake.data import Urgency
from anxin.intake.models import CloseKind, Report

SCHOOLS = 5  # schools of the county that get reports

REPORTS = [
    # text, behaviours, reporter kind, period
    (
        "最近一个月，班上有三个同学每天在厕所门口堵我，让我交钱，不给就推我。今天又被勒索了二十元。",
        ["property", "physical"],
        "student",
        "break",
    ),
    (
        "我家孩子说班里同学给他起外号，还在班级群里发他的照片取笑他，孩子现在不想上学。",
        ["verbal", "cyber"],
        "parent",
        "after",
    ),
    (
        "宿舍里有个同学总被其他人孤立，吃饭也没人和他一起，晚上有人把他的被子扔到地上。",
        ["exclusion"],
        "student",
        "night",
    ),
    (
        "放学路上看到几个高年级学生把一个低年级同学拦在小卖部后面，好像在要东西。",
        ["property"],
        "other",
        "after",
    ),
    ("体育课后有人在器材室把我锁在里面，还拍视频发到群里。", ["physical", "cyber"], "student", "class"),
    (
        "和刚才那条是同一件事：器材室被锁、被拍视频的是我同桌，他不敢说。",
        ["physical", "cyber"],
        "student",
        "class",
    ),
]
REPLIES = [
    "我们已经收到，班主任今天会单独找你了解情况，请放心，不会让其他同学知道是你反映的。",
    "谢谢您的反映。学校已安排德育处和班主任了解情况，并会联系您沟通处理进展。",
]
FOLLOW_UPS = ["今天他们又来要钱了，我没给，他们说放学等着我。"]
CONCERNS = [
    "课间发现该生一个人躲在楼梯间哭，问她也不说原因，最近上课注意力不集中。",
    "该生作业本被人撕坏，最近几天手臂上有淤青，值得关注。",
]


def _holders(school_id: int, role: str) -> list:
    from anxin.accounts.models import Membership

    return [
        m.user
        for m in Membership.objects.active()
        .filter(school_id=school_id, role=role, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    ]


def _backdate(report: Report, hours: float) -> None:
    """Demo only: a report received some time ago (ages on the bureau's backlog page)."""
    Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - dt.timedelta(hours=hours))


def load_intake(county, rng: random.Random, *, first_school: str = "") -> dict:
    """Create reports, concerns and an emergency call for a few schools; returns counts.
    ``first_school`` (a school's name, given by the demo loader) is served first."""
    from anxin.org.models import School
    from anxin.roster.models import Student, StudentStatus

    counts = {"reports": 0, "replies": 0, "merged": 0, "closed": 0, "concerns": 0, "emergencies": 0}
    # the school of the per-role demo logins first: its triagers open the demo to a full inbox
    schools = sorted(
        School.objects.filter(county=county, active=True).order_by("code", "pk"),
        key=lambda s: s.name != first_school,
    )
    done = 0
    for school in schools:
        if done >= SCHOOLS:
            break
        leaders = _holders(school.pk, Role.SAFETY_LEADER)
        if not leaders:
            continue
        done += 1
        leader = leaders[0]
        places = services.school_places(school)
        reports = []
        for i, (text, behaviours, kind, period) in enumerate(REPORTS):
            data = {
                "text": text,
                "behaviours": behaviours,
                "reporter_kind": kind,
                "occurred_period": period,
                "occurred_on": timezone.localdate() - dt.timedelta(days=rng.randint(0, 6)),
                "repeated": "many" if i % 2 == 0 else "once",
            }
            if places and rng.random() < 0.7:
                data["spot"] = rng.choice(places).pk
            reports.append(services.submit_report(school=school, data=data).report)
            _backdate(reports[-1], hours=rng.uniform(1, 96) if i else 2)
        counts["reports"] += len(reports)
        with transaction.atomic():
            fresh, aging, taken, awaiting, closed, duplicate = reports
            for report, reply in ((taken, REPLIES[1]), (awaiting, REPLIES[0])):
                services.acknowledge(report, by=leader)
                services.set_urgency(report, by=leader, urgency=Urgency.HIGH, note="涉及多名学生，需尽快核实")
                services.reply(report, by=leader, body=reply)
                counts["replies"] += 1
            services.add_reporter_message(awaiting, body=rng.choice(FOLLOW_UPS))
            services.close(
                closed,
                by=leader,
                kind=CloseKind.NOT_BULLYING,
                reason="经班主任和宿管核实，系同学间一般矛盾，已调解，当事学生及家长认可处理结果。",
            )
            counts["closed"] += 1
            services.merge(duplicate, into=taken, by=leader, reason="反映的是同一件事（器材室）")
            counts["merged"] += 1
        teachers = _holders(school.pk, Role.CLASS_TEACHER)
        students = list(
            Student.objects.filter(school=school, status=StudentStatus.ENROLLED).order_by("pk")[:200]
        )
        for text in CONCERNS[: len(teachers)]:
            teacher = teachers[rng.randrange(len(teachers))]
            own = [s for s in students if s.klass_id in teacher_classes(teacher, school)] or students
            services.raise_concern(by=teacher, school=school, text=text, student=rng.choice(own))
            counts["concerns"] += 1
        em, _token = services.raise_emergency(school=school, place=places[0].name if places else "操场")
        services.acknowledge_emergency(em, by=leader, note="值班领导两分钟内到场，已制止并通知班主任。")
        counts["emergencies"] += 1
    return counts


def teacher_classes(user, school) -> set:
    from anxin.accounts.models import Membership

    return set(
        Membership.objects.active()
        .filter(user=user, school=school, role=Role.CLASS_TEACHER)
        .values_list("klass_id", flat=True)
    )
