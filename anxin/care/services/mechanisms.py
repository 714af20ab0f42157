"""二(六) mechanisms (R-CARE-5): 师生联系 (a contact teacher per student), 同学互助 (peer pairs),
家校互通 (home contacts), per class and summed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from anxin.care.models import (
    HOME_KINDS,
    CarePlan,
    ContactLog,
    ContactTeacher,
    PeerPair,
)
from anxin.core import clock

from .common import _require, _setting, school_staff

# --- 二(六) mechanisms: 师生联系, 同学互助, 家校互通 (R-CARE-5) -------------------------------------


def term_start(today: dt.date | None = None) -> dt.date:
    """The first day of the current term; settings ``ANXIN_TERM_STARTS`` as (month, day) pairs,
    by default the spring term from 1 February and the autumn term from 1 September."""
    today = today or clock.today()
    starts = sorted(_setting("ANXIN_TERM_STARTS", ((2, 1), (9, 1))))
    candidates = [dt.date(today.year, m, d) for m, d in starts] + [dt.date(today.year - 1, *starts[-1])]
    return max(c for c in candidates if c <= today)


@transaction.atomic
def set_contact_teacher(by, student, teacher) -> ContactTeacher:
    """Name the teacher a student can turn to (师生联系), ending the previous one."""
    link = ContactTeacher(
        county_id=student.county_id, school_id=student.school_id, student=student, teacher=teacher
    )
    _require(by, link, "change")
    if not school_staff(student.school_id).filter(pk=teacher.pk).exists():
        raise ValidationError({"teacher": _("联系教师须是本校在岗教职工。")})
    current = (
        ContactTeacher.objects.select_for_update().filter(student=student, ended_on__isnull=True).first()
    )
    if current is not None:
        if current.teacher_id == teacher.pk:
            return current
        current.ended_on = clock.today()
        current.save(update_fields=["ended_on", "updated_at"])
    link.started_on = clock.today()
    link.save()
    return link


@transaction.atomic
def assign_unassigned(by, klass, teacher) -> int:
    """Make ``teacher`` the contact teacher of every student of the class who has none."""
    missing = (
        _enrolled(klass)
        .exclude(Exists(ContactTeacher.objects.filter(student=OuterRef("pk"), ended_on__isnull=True)))
        .order_by("pk")
    )
    n = 0
    for student in missing:
        set_contact_teacher(by, student, teacher)
        n += 1
    return n


@transaction.atomic
def add_peer_pair(by, student, helper, note: str = "") -> PeerPair:
    """同学互助: pair a student with a classmate who looks out for them."""
    pair = PeerPair(
        county_id=student.county_id,
        school_id=student.school_id,
        student=student,
        helper=helper,
        note=note.strip(),
    )
    _require(by, pair, "change")
    if helper.pk == student.pk:
        raise ValidationError({"helper": _("互助同学不能是学生本人。")})
    if helper.school_id != student.school_id or helper.status != "enrolled":
        raise ValidationError({"helper": _("互助同学须是本校在读学生。")})
    if PeerPair.objects.filter(student=student, helper=helper, ended_on__isnull=True).exists():
        raise ValidationError({"helper": _("这两名学生已结对。")})
    pair.started_on = clock.today()
    pair.save()
    return pair


@transaction.atomic
def end_peer_pair(by, pair: PeerPair) -> PeerPair:
    _require(by, pair, "change")
    if pair.ended_on is None:
        pair.ended_on = clock.today()
        pair.save(update_fields=["ended_on", "updated_at"])
    return pair


def _enrolled(klass):
    from anxin.roster.models import Student, StudentStatus

    return Student.objects.filter(klass=klass, status=StudentStatus.ENROLLED)


def class_mechanisms(klass, today: dt.date | None = None) -> list[dict]:
    """One row per enrolled student: contact teacher, peer pairs, last home contact this term,
    running plans, and the gaps. Six queries whatever the class size."""
    since = term_start(today)
    start = dt.datetime.combine(since, dt.time.min, tzinfo=clock.SHANGHAI)
    students = list(_enrolled(klass).order_by("name", "pk"))
    ids = [s.pk for s in students]
    teachers = {
        c.student_id: c.teacher
        for c in ContactTeacher.objects.filter(student_id__in=ids, ended_on__isnull=True).select_related(
            "teacher"
        )
    }
    pairs = defaultdict(list)
    for p in (
        PeerPair.objects.filter(Q(student_id__in=ids) | Q(helper_id__in=ids), ended_on__isnull=True)
        .select_related("student", "helper")
        .order_by("pk")
    ):
        pairs[p.student_id].append(("helped_by", p))
        pairs[p.helper_id].append(("helps", p))
    home = dict(
        ContactLog.objects.filter(student_id__in=ids, kind__in=HOME_KINDS, occurred_at__gte=start)
        .values_list("student_id")
        .annotate(last=Max("occurred_at"))
        .order_by()
    )
    plans = defaultdict(list)
    for p in CarePlan.objects.filter(student_id__in=ids, status=CarePlan.Status.ACTIVE).only(
        "id", "student_id", "kind", "level"
    ):
        plans[p.student_id].append(p)
    rows = []
    for s in students:
        rows.append(
            {
                "student": s,
                "teacher": teachers.get(s.pk),
                "pairs": pairs.get(s.pk, []),
                "last_home": home.get(s.pk),
                "plans": plans.get(s.pk, []),
                "no_teacher": s.pk not in teachers,
                "no_home": s.pk not in home,
            }
        )
    return rows


def _count(subquery):
    return Coalesce(Subquery(subquery.values("n")[:1], output_field=IntegerField()), 0)


def mechanism_summary(classes, today: dt.date | None = None):
    """Per class: students, gaps in 师生联系 and 家校互通 this term, 同学互助 pairs, running plans.
    One query for any number of classes (correlated counts)."""
    from anxin.roster.models import Student, StudentStatus

    since = term_start(today)
    start = dt.datetime.combine(since, dt.time.min, tzinfo=clock.SHANGHAI)
    enrolled = Student.objects.filter(klass=OuterRef("pk"), status=StudentStatus.ENROLLED).order_by()
    has_teacher = Exists(ContactTeacher.objects.filter(student=OuterRef("pk"), ended_on__isnull=True))
    has_home = Exists(
        ContactLog.objects.filter(student=OuterRef("pk"), kind__in=HOME_KINDS, occurred_at__gte=start)
    )
    has_pair = Exists(PeerPair.objects.filter(student=OuterRef("pk"), ended_on__isnull=True))
    has_plan = Exists(CarePlan.objects.filter(student=OuterRef("pk"), status=CarePlan.Status.ACTIVE))

    def counted(qs):
        return _count(qs.values("klass").annotate(n=Count("pk")))

    return classes.annotate(
        n_students=counted(enrolled),
        n_no_teacher=counted(enrolled.filter(~has_teacher)),
        n_no_home=counted(enrolled.filter(~has_home)),
        n_paired=counted(enrolled.filter(has_pair)),
        n_plans=counted(enrolled.filter(has_plan)),
    )
