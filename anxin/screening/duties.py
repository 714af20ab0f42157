"""Screening's duties and figures on 工作台 (anxin.core.duties).

- ``screening.class``: a class not yet fully screened in an open round, owed by its class
  teacher by the round's deadline (school leaders also see the overdue ones, to chase them);
- ``screening.school``: a school's open round not complete, owed by the school (its safety
  leader) — seen by the school's leaders and, once past its deadline, by the bureau;
- ``screening.rectification``: an open rectification item (问题整改), owed by its owner;
- ``screening.risk_up``: new since the user last looked — a student's risk rose to 橙 or 红.

Each provider runs a fixed number of queries whatever the number of duties it yields.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from anxin.core import clock, duties, policy, sqlcache
from anxin.core.roles import Role
from anxin.screening import risk_rules
from anxin.screening.models import (
    HazardPoint,
    Rectification,
    RiskAssessment,
    RiskState,
    ScreeningRecord,
    ScreeningRound,
)

LEADERS = {Role.PRINCIPAL, Role.SAFETY_LEADER, Role.MIDDLE_MANAGER}
HIGH = (risk_rules.ORANGE, risk_rules.RED)


def _coverage(user, today: dt.date) -> dict:
    """Open rounds in the user's scope with coverage per class and per school: 3–4 queries,
    computed once a request for both screening providers and the figures. 工作台 asks on every
    visit: the statements are kept (core.sqlcache), keyed by the reader or by the rounds' schools."""
    cached = getattr(user, "_anxin_screening_cov", None)
    if cached is not None:
        return cached
    from anxin.accounts.models import Membership

    rounds = sqlcache.rows(
        ("screening.open_rounds", *sqlcache.reader_key(user)),
        lambda: (
            ScreeningRound.objects.restrict(user, "view")
            .filter(status=ScreeningRound.Status.OPEN)
            .select_related("school")
            .order_by("deadline", "id")
        ),
    )
    # the open round with the nearest deadline counts, one per school
    latest: dict[int, ScreeningRound] = {}
    for r in rounds:
        latest.setdefault(r.school_id, r)
    out = {"rounds": latest, "classes": {}, "school": {}, "teachers": {}, "class_names": {}}
    if latest:
        school_ids = tuple(sorted(latest))
        round_ids = tuple(sorted(r.pk for r in latest.values()))
        totals = sqlcache.rows(("screening.enrolled", school_ids), lambda: enrolled_counts(school_ids))
        done = sqlcache.rows(("screening.screened", round_ids), lambda: screened_counts(round_ids))
        covered = {(d["round__school_id"], d["student__klass_id"]): d["n"] for d in done}
        for t in totals:
            key = (t["school_id"], t["klass_id"])
            out["classes"][key] = (covered.get(key, 0), t["n"])
            s = out["school"].setdefault(t["school_id"], [0, 0])
            s[0] += min(covered.get(key, 0), t["n"])
            s[1] += t["n"]
        if policy.user_roles(user) & LEADERS:
            # class teachers of the schools a leader oversees (names for the overdue classes)
            teachers = sqlcache.rows(
                ("screening.class_teachers", school_ids),
                lambda day: (
                    Membership.objects.active(day)
                    .filter(role=Role.CLASS_TEACHER, school_id__in=school_ids, klass__isnull=False)
                    .select_related("user", "klass__grade")
                    .order_by("id")
                ),
                today,
            )
            for m in teachers:
                out["teachers"].setdefault(m.klass_id, []).append(m.user)
                out["class_names"][m.klass_id] = str(m.klass)
    user._anxin_screening_cov = out
    return out


def enrolled_counts(school_ids):
    """The enrolled students per school and class (read from roster's student_enrolled_class_idx
    alone on PostgreSQL)."""
    from anxin.roster.models import Student

    return (
        Student.objects.filter(school_id__in=school_ids, status="enrolled")
        .values("school_id", "klass_id")
        .annotate(n=Count("id"))
        .order_by()
    )


def screened_counts(round_ids):
    """The enrolled students screened in each round, per school and their class now."""
    return (
        ScreeningRecord.objects.filter(round_id__in=round_ids, student__status="enrolled")
        .values("round__school_id", "student__klass_id")
        .annotate(n=Count("id"))
        .order_by()
    )


def _pct(done: int, total: int) -> int:
    return round(100 * done / total) if total else 100


@duties.provider("screening.class")
def class_screening(user, now):
    today = clock.local_date(now)
    cov = _coverage(user, today)
    if not cov["rounds"]:
        return
    mine = {
        m.klass_id: m.klass for m in policy.memberships(user) if m.role == Role.CLASS_TEACHER and m.klass_id
    }
    led = {m.school_id for m in policy.memberships(user) if m.role in (Role.PRINCIPAL, Role.SAFETY_LEADER)}
    for (school_id, klass_id), (done, total) in sorted(cov["classes"].items(), key=lambda kv: kv[0]):
        if done >= total:
            continue
        r = cov["rounds"][school_id]
        if klass_id in mine:
            owners: tuple = (user,)
            name = str(mine[klass_id])
        elif school_id in led and r.deadline < today and klass_id in cov["teachers"]:
            owners = tuple(cov["teachers"][klass_id])
            name = cov["class_names"][klass_id]
        else:
            continue
        yield duties.Duty(
            kind="screening.class",
            title=_("%(klass)s 排查未完成") % {"klass": name},
            detail=_("%(round)s：已排查 %(done)s/%(total)s 人")
            % {"round": r.title, "done": done, "total": total},
            url=reverse("screening:round_class", args=[r.pk, klass_id]),
            owner="、".join(str(u) for u in owners),
            owner_ids=tuple(u.pk for u in owners),
            due=r.deadline,
            ref=f"screening.round:{r.pk}:class:{klass_id}",
            school_id=school_id,
            action=_("去排查"),
        )


@duties.provider("screening.school")
def school_screening(user, now):
    roles = policy.user_roles(user)
    managers = roles & {Role.PRINCIPAL, Role.SAFETY_LEADER, Role.MIDDLE_MANAGER}
    bureau = Role.BUREAU_SAFETY in roles
    if not (managers or bureau):
        return
    today = clock.local_date(now)
    cov = _coverage(user, today)
    schools = {m.school_id for m in policy.memberships(user) if m.role in managers}
    for school_id, r in cov["rounds"].items():
        done, total = cov["school"].get(school_id, (0, 0))
        if done >= total:
            continue
        # the bureau: the schools past the deadline (to chase); the rest is a figure
        if school_id not in schools and not (bureau and r.deadline < today):
            continue
        yield duties.Duty(
            kind="screening.school",
            priority=3,
            title=_("%(school)s 排查未完成（%(pct)s%%）")
            % {"school": r.school.name, "pct": _pct(done, total)},
            detail=_("%(round)s：已排查 %(done)s/%(total)s 人")
            % {"round": r.title, "done": done, "total": total},
            url=reverse("screening:round_detail", args=[r.pk]),
            owner=_("%(school)s 分管安全副校长") % {"school": r.school.name},
            post=Role.SAFETY_LEADER,
            due=r.deadline,
            ref=f"screening.round:{r.pk}",
            school_id=school_id,
            action=_("看进度"),
        )


@duties.provider("screening.rectification")
def rectifications(user, now):
    if not policy.can(user, "screening.rectification.view") and not policy.can(
        user, "screening.rectification.change"
    ):
        return

    def build(*overdue_before):
        q = Q(owner=user)
        if overdue_before:
            q |= Q(due_date__lt=overdue_before[0])
        return (
            Rectification.objects.restrict(user, "view")
            .exclude(status=Rectification.Status.DONE)
            .filter(q)
            .select_related("owner", "school")
            .order_by("due_date", "id")
        )

    over = (clock.local_date(now),) if duties.oversees(user) else ()
    for item in sqlcache.rows(("screening.rectification", *sqlcache.reader_key(user)), build, *over):
        yield duties.Duty(
            kind="screening.rectification",
            title=_("整改：%(problem)s") % {"problem": item.problem[:30]},
            detail=item.school.name,
            url=reverse("screening:rectification_edit", args=[item.pk]),
            owner=str(item.owner),
            owner_ids=(item.owner_id,),
            due=item.due_date,
            ref=f"screening.rectification:{item.pk}",
            school_id=item.school_id,
            action=_("去整改"),
        )


@duties.provider("screening.risk_up")
def risk_up(user, now):
    """新消息: a student's risk rose to 橙 or 红 since the user last looked."""
    if not policy.can(user, "screening.riskstate.view"):
        return
    floor = now - dt.timedelta(days=duties.NEW_AT_MOST_DAYS)
    seen = duties.last_seen(user)
    since = max(seen, floor) if seen else floor
    rows = sqlcache.rows(
        ("screening.risk_up", *sqlcache.reader_key(user)),
        lambda since: (
            RiskAssessment.objects.restrict(user, "view")
            .filter(at__gt=since, level__in=HIGH, student__status="enrolled")
            .select_related("student")
            .only("id", "level", "previous_level", "at", "school_id", "student__id", "student__name")
            .order_by("-at", "-id")
        ),
        since,
    )
    shown = set()
    for a in rows:
        rank = risk_rules.LEVEL_RANK
        if a.student_id in shown or rank.get(a.level, 0) <= rank.get(a.previous_level or "green", 0):
            continue
        shown.add(a.student_id)
        yield duties.Duty(
            kind="screening.risk_up",
            title=_("%(name)s 风险升至%(level)s")
            % {"name": a.student.name, "level": risk_rules.LEVEL_LABELS[a.level]},
            detail=_("原为%(level)s")
            % {"level": risk_rules.LEVEL_LABELS.get(a.previous_level or "green", "")},
            url=reverse("screening:student_risk", args=[a.student_id]),
            owner_ids=(user.pk,),
            new=True,
            ref=f"screening.riskassessment:{a.pk}",
            school_id=a.school_id,
            action=_("查看"),
        )


# --- figures ---------------------------------------------------------------------------------


@duties.figure("screening")
def figures(user, now):
    roles = policy.user_roles(user)
    out = []
    cov = (
        _coverage(user, clock.local_date(now))
        if roles & (LEADERS | {Role.CLASS_TEACHER, Role.BUREAU_SAFETY})
        else None
    )
    if Role.CLASS_TEACHER in roles and cov is not None:
        for m in policy.memberships(user):
            if m.role != Role.CLASS_TEACHER or not m.klass_id:
                continue
            r = cov["rounds"].get(m.school_id)
            if r is None:
                continue
            done, total = cov["classes"].get((m.school_id, m.klass_id), (0, 0))
            out.append(
                duties.Figure(
                    "screening.class_pct",
                    _("本班排查"),
                    f"{_pct(done, total)}%",
                    reverse("screening:round_class", args=[r.pk, m.klass_id]),
                    alert=done < total and r.deadline < clock.local_date(now),
                    note=f"{done}/{total}",
                )
            )
    if roles & LEADERS and cov is not None:
        schools = {m.school_id for m in policy.memberships(user) if m.role in LEADERS}
        for sid in sorted(schools):
            r = cov["rounds"].get(sid)
            if r is None:
                continue
            done, total = cov["school"].get(sid, (0, 0))
            out.append(
                duties.Figure(
                    "screening.school_pct",
                    _("本校排查"),
                    f"{_pct(done, total)}%",
                    reverse("screening:round_detail", args=[r.pk]),
                    alert=done < total and r.deadline < clock.local_date(now),
                    note=f"{done}/{total}",
                )
            )
    if Role.BUREAU_SAFETY in roles and cov is not None:
        today = clock.local_date(now)
        behind = [
            sid
            for sid, r in cov["rounds"].items()
            if r.deadline < today and cov["school"].get(sid, (0, 0))[0] < cov["school"].get(sid, (0, 0))[1]
        ]
        out.append(
            duties.Figure(
                "screening.schools_behind",
                _("排查逾期未完成的学校"),
                len(behind),
                reverse("screening:round_list") + "?status=open",
                alert=bool(behind),
            )
        )
    if policy.can(user, "screening.riskstate.view") and roles & (LEADERS | {Role.CLASS_TEACHER}):
        from django.apps import apps

        CarePlan = apps.get_model("care", "CarePlan")  # noqa: N806 — care builds on screening, not back
        planned = CarePlan.objects.filter(student_id=OuterRef("student_id"), status="active")
        row = (
            RiskState.objects.restrict(user, "view")
            .filter(level__in=HIGH, student__status="enrolled")
            .annotate(has_plan=Exists(planned))
            .aggregate(n=Count("id"), planned=Count("id", filter=Q(has_plan=True)))
        )
        url = reverse("screening:risk_list") + "?level=red&level=orange"
        if Role.CLASS_TEACHER in roles and not roles & LEADERS:
            out.append(
                duties.Figure(
                    "screening.high_risk",
                    _("橙/红学生"),
                    row["n"],
                    url,
                    alert=row["planned"] < row["n"],
                    note=_("%(n)s 人有关爱计划") % {"n": row["planned"]},
                )
            )
        else:
            out.append(
                duties.Figure(
                    "screening.high_risk_no_plan",
                    _("橙/红学生无关爱计划"),
                    row["n"] - row["planned"],
                    url,
                    alert=row["planned"] < row["n"],
                    note=_("共 %(n)s 人") % {"n": row["n"]},
                )
            )
    if roles & {Role.PRINCIPAL, Role.SAFETY_LEADER} and policy.can(user, "screening.hazardpoint.view"):
        n = (
            HazardPoint.objects.restrict(user, "view")
            .exclude(status=HazardPoint.Status.ELIMINATED)
            .annotate(
                n_cameras=Count("cameras", filter=Q(cameras__working=True), distinct=True),
                n_measures=Count("measures", distinct=True),
            )
            .filter(Q(n_cameras=0) | Q(n_measures=0))
            .count()
        )
        out.append(
            duties.Figure(
                "screening.hazards_uncovered",
                _("隐患点缺少防范"),
                n,
                reverse("screening:hazard_coverage"),
                alert=n > 0,
            )
        )
    return out


# survey disclosures are kept in their own module; discovered with this one
from importlib import import_module  # noqa: E402

try:
    import_module("anxin.screening.disclosure_duties")
except ModuleNotFoundError as exc:  # not there yet
    if exc.name != "anxin.screening.disclosure_duties":
        raise
