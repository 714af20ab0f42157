"""This app's duties on 工作台 (anxin.core.duties), owed by the school's 德育/政教主任 (the post
that organises education, ROLES.md):

- ``education.class_meetings``: classes that have not yet held the county's number of 主题班会
  this term — due at the end of the term, linked to recording a 主题班会;
- ``education.my_class_meetings``: owed by a class teacher for their own class when it has not
  yet held the county's number of 主题班会 this term — linked to the one-form record;
- ``education.staff_training``: staff in post not yet trained this school year — due at the end
  of the school year, linked to recording a 教职工专题培训.

Each provider runs a fixed number of queries whatever the number of schools.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.urls import reverse
from django.utils.translation import gettext as _

from anxin.core import clock, duties, policy
from anxin.core.roles import Role
from anxin.education import periods
from anxin.education.coverage import class_coverage, needed_by_county, staff_coverage
from anxin.education.models import Kind

PERM = "education.activity.coverage"


def _schools(user):
    """The schools where the user runs activities, from the posts already loaded for the request
    (no query of its own); county roles do not owe a school's education duties."""
    allowed = policy.roles_with("education.activity.change")
    seen: dict[int, SimpleNamespace] = {}
    for m in policy.memberships(user):
        if m.role in allowed and m.school_id and m.role != Role.LEGAL_VP:
            seen.setdefault(m.school_id, SimpleNamespace(pk=m.school_id, county_id=m.county_id))
    return list(seen.values())


@duties.provider("education.class_meetings")
def class_meetings(user, now):
    schools = _schools(user)
    if not schools:
        return
    today = clock.local_date(now)
    start, end = periods.term_start(today), periods.term_end(today)
    cov = class_coverage(schools, start, end, needed_by_county(s.county_id for s in schools))
    for s in schools:
        c = cov[s.pk]
        short = c.short
        if not short:
            continue
        names = "、".join(f"{r.klass.grade.name}{r.klass.name}" for r in short[:6])
        yield duties.Duty(
            kind="education.class_meetings",
            title=_("%(n)s个班本学期主题班会不足%(need)s次") % {"n": len(short), "need": c.needed},
            detail=names + ("等" if len(short) > 6 else ""),
            url=reverse("education:activity_create") + f"?school={s.pk}&kind={Kind.CLASS_MEETING}",
            due=end,
            post=Role.MIDDLE_MANAGER,
            owner=str(Role.MIDDLE_MANAGER.label),
            ref=f"education.class_meetings:{s.pk}:{start:%Y%m%d}",
            school_id=s.pk,
            action=_("去登记班会"),
        )


@duties.provider("education.my_class_meetings")
def my_class_meetings(user, now):
    own = {
        m.klass_id: SimpleNamespace(pk=m.school_id, county_id=m.county_id)
        for m in policy.memberships(user)
        if m.role == Role.CLASS_TEACHER and m.klass_id and m.school_id
    }
    if not own:
        return
    today = clock.local_date(now)
    start, end = periods.term_start(today), periods.term_end(today)
    schools = list({s.pk: s for s in own.values()}.values())
    cov = class_coverage(schools, start, end, needed_by_county(s.county_id for s in schools))
    for s in schools:
        c = cov[s.pk]
        for row in c.short:
            if row.klass.pk not in own:
                continue
            name = f"{row.klass.grade.name}{row.klass.name}"
            yield duties.Duty(
                kind="education.my_class_meetings",
                title=_("%(klass)s本学期主题班会 %(held)s/%(need)s 次")
                % {"klass": name, "held": row.held, "need": c.needed},
                detail=_("开完班会后登记：日期、主题、参加人数"),
                url=reverse("education:class_meeting_create") + f"?klass={row.klass.pk}",
                due=end,
                post=Role.CLASS_TEACHER,
                owner=str(Role.CLASS_TEACHER.label),
                ref=f"education.my_class_meetings:{row.klass.pk}:{start:%Y%m%d}",
                school_id=s.pk,
                owner_ids=(user.pk,),
                action=_("登记班会"),
            )


@duties.provider("education.staff_training")
def staff_training(user, now):
    schools = _schools(user)
    if not schools:
        return
    today = clock.local_date(now)
    year = periods.year_of(today)
    start, end = periods.year_span(year)
    cov = staff_coverage(schools, start, end, names=False)
    for s in schools:
        c = cov[s.pk]
        missing = c.total - c.trained
        if missing <= 0:
            continue
        yield duties.Duty(
            kind="education.staff_training",
            title=_("%(n)s名教职工本学年未参加防欺凌专题培训") % {"n": missing},
            detail=_("已培训 %(done)s/%(total)s 人") % {"done": c.trained, "total": c.total},
            url=reverse("education:coverage") + f"?school={s.pk}",
            due=end,
            post=Role.MIDDLE_MANAGER,
            owner=str(Role.MIDDLE_MANAGER.label),
            ref=f"education.staff_training:{s.pk}:{year}",
            school_id=s.pk,
            action=_("去组织培训"),
        )
