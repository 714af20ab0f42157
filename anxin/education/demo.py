"""Demo data for education and training, entered through the services (every rule and audit
event is real): a term of activities across the county's schools — staff training with most
staff attending (some untrained), 法治副校长 visits, 主题班会 in every class (one class of the demo
school one short), family-education sessions — and one training still open for the QR check-in."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from anxin.core import clock
from anxin.core.roles import Role
from anxin.education import periods, services
from anxin.education.models import Kind


def _holder(school_id: int, *roles: str):
    from anxin.accounts.models import Membership

    m = (
        Membership.objects.active()
        .filter(school_id=school_id, role__in=roles, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return m.user if m else None


def load_education(county, rng: random.Random, *, demo_school: str = "") -> dict:
    from anxin.org.models import School, SchoolClass

    counts = {"activities": 0, "staff_attendances": 0, "class_meetings": 0}
    today = clock.today()
    start = max(periods.term_start(today), periods.year_span(periods.year_of(today))[0])
    span = max((today - start).days, 1)

    def day(frac: float) -> dt.date:
        return start + dt.timedelta(days=int(span * frac))

    for i, school in enumerate(School.objects.filter(county=county, active=True).order_by("code", "pk")):
        mm = _holder(school.pk, Role.MIDDLE_MANAGER, Role.PRINCIPAL, Role.SAFETY_LEADER)
        if mm is None:
            continue
        is_demo = school.name == demo_school
        with transaction.atomic():
            staff = list(services.school_staff(school.pk))
            t = services.create_activity(
                mm,
                school,
                {
                    "kind": Kind.STAFF_TRAINING,
                    "title": "《防范中小学生欺凌专项治理行动》全体教职工专题培训",
                    "held_on": day(0.2),
                    "staff_level": "all",
                    "summary": "学习欺凌的认定、早期发现与报告流程，强调首问负责和按时报告。",
                },
            )
            # most attend; at the demo school two always miss it (and stay untrained: a duty)
            present = [u for u in staff if rng.random() < 0.8] if not is_demo else staff[:-2]
            services.set_staff(mm, t, present)
            services.close_activity(mm, t)
            counts["staff_attendances"] += len(present)
            leaders = [u for u in staff if u.pk in {p.pk for p in present}][:3]
            lt = services.create_activity(
                mm,
                school,
                {
                    "kind": Kind.STAFF_TRAINING,
                    "title": "班子成员防欺凌专题学习",
                    "held_on": day(0.1),
                    "staff_level": "leaders",
                },
            )
            services.set_staff(mm, lt, leaders)
            services.close_activity(mm, lt)
            vp = _holder(school.pk, Role.LEGAL_VP)
            law = services.create_activity(
                vp or mm,
                school,
                {
                    "kind": Kind.LEGAL_VISIT,
                    "title": "法治副校长进校园：以案说法",
                    "held_on": day(0.35),
                    "laws": ["minors", "delinquency"],
                    "presenter_name": "" if vp else "王警官",
                    "presenter_unit": "" if vp else "县公安局城关派出所",
                    "summary": "结合真实案例讲解校园欺凌的法律责任。",
                },
            )
            classes = list(
                SchoolClass.objects.filter(school=school, active=True).order_by("grade__year", "name")
            )
            services.set_classes(vp or mm, law, {c: None for c in classes[:6]})
            services.close_activity(vp or mm, law)
            counts["activities"] += 3
            for n, frac in enumerate((0.3, 0.7)):
                cm = services.create_activity(
                    mm,
                    school,
                    {
                        "kind": Kind.CLASS_MEETING,
                        "title": ("拒绝欺凌，友善同行", "做勇敢的旁观者")[n],
                        "held_on": day(frac),
                    },
                )
                chosen = (
                    classes if not (is_demo and n == 1) else classes[1:]
                )  # the demo school's first class one short
                services.set_classes(mm, cm, {c: rng.randint(38, 50) for c in chosen})
                services.close_activity(mm, cm)
                counts["activities"] += 1
                counts["class_meetings"] += len(chosen)
            fam = services.create_activity(
                mm,
                school,
                {
                    "kind": Kind.FAMILY,
                    "title": "家长学校：如何发现孩子被欺凌的信号",
                    "held_on": day(0.5),
                    "parents_count": rng.randint(80, 300),
                },
            )
            services.close_activity(mm, fam)
            counts["activities"] += 1
            # the demo school keeps those absent from the first training untrained (their duty)
            keep_out = {u.pk for u in staff if u not in present} if is_demo else set()
            counts["activities"] += _recent_work(mm, school, staff, classes, i, keep_out, today)
            if is_demo:
                services.create_activity(
                    mm,
                    school,
                    {
                        "kind": Kind.STAFF_TRAINING,
                        "title": "班主任欺凌早期识别专题培训（今日）",
                        "held_on": today,
                        "staff_level": "all",
                    },
                )
                counts["activities"] += 1
    return counts


def _recent_work(mm, school, staff, classes, i: int, keep_out: set, today: dt.date) -> int:
    """The campaign's 集中整治 (the last days): schools at different stages — a third trained all
    their staff again and held a law lesson, a third trained most staff, a third neither yet;
    ``keep_out`` are staff who miss it. Returns the activities added."""
    stage = i % 3
    if stage == 2:
        return 0
    held = today - dt.timedelta(days=2 + i % 5)
    t = services.create_activity(
        mm,
        school,
        {
            "kind": Kind.STAFF_TRAINING,
            "title": "集中整治阶段教职工防欺凌专题培训",
            "held_on": held,
            "staff_level": "all",
            "summary": "欺凌的早期识别、首问负责、按时报告；案例研讨。",
        },
    )
    present = [u for u in staff if u.pk not in keep_out]
    if stage == 1:
        present = present[: max(1, len(present) * 9 // 10)]
    services.set_staff(mm, t, present)
    services.close_activity(mm, t)
    if stage == 1:
        return 1
    law = services.create_activity(
        mm,
        school,
        {
            "kind": Kind.LAW,
            "title": "防欺凌专题法治教育",
            "held_on": held,
            "laws": ["minors", "delinquency"],
            "presenter_name": "李检察官",
            "presenter_unit": "县人民检察院",
            "summary": "讲解《未成年人保护法》《预防未成年人犯罪法》中与欺凌相关的条款。",
        },
    )
    services.set_classes(mm, law, {c: None for c in classes})
    services.close_activity(mm, law)
    return 2
