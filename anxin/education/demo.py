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

    for school in School.objects.filter(county=county, active=True).order_by("code", "pk"):
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
            present = [u for u in staff if rng.random() < 0.8]
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
