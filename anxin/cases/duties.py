"""Cases' duties and figures on 工作台 (anxin.core.duties), read with the cases' own rights
(``BullyingCase.objects.restrict``): the investigation due (LAW 6), the first report to the
bureau (首报, LAW 7) and drafted 续报/终报, the bureau's 待签收, 回访, a measure awaiting
陈述申辩, a measure to carry out, and an appeal's decision deadline.

The bureau sees the school-level ones through the register (no names): an overdue
investigation or a missing 首报 of any school of the county, which it may 催办.
Each provider runs one query whatever the number of duties.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _

from anxin.cases.models import (
    Appeal,
    AppealKind,
    BullyingCase,
    BureauReport,
    CaseParty,
    CaseReferral,
    CaseState,
    FollowUp,
    Investigation,
    Measure,
    MeasureState,
    PartyRole,
    ReportKind,
)
from anxin.cases.models.reports import report_title
from anxin.cases.permissions import case_scope_q, prefixed
from anxin.core import clock, duties, policy, sqlcache
from anxin.core.roles import Role

P = "cases.bullyingcase"


def _case_q(user, action: str = "view", via: str = "") -> Q:
    """The cases ``user`` may ``action``, as a condition on the case row itself (``via``: on the
    row's case, e.g. ``"case__"``): a duty query tests each candidate row against the scope,
    rather than collecting every case of the county first; the county and school conditions
    read the row's own keys."""
    q = case_scope_q(user, action)
    if q is None:
        return Q(pk__in=[])
    return prefixed(q, via, own_keys=True) if via else q


def _bureau(user) -> bool:
    return Role.BUREAU_SAFETY in policy.user_roles(user)


def _step(case_id: int, step: str) -> str:
    return reverse("cases:case_step", args=[case_id, step])


def _detail(case_id: int) -> str:
    return reverse("cases:case_detail", args=[case_id])


def _register(number: str) -> str:
    return reverse("cases:case_list") + f"?number={number}"


def _name(u) -> str:
    return str(u) if u is not None else ""


# What a duty row reads of its case and of the people it names: a select_related otherwise
# fetches (and compiles, on every visit to 工作台) every column of the case and of each person.
_PERSON = ("real_name", "username")


def _slim(*people: str) -> tuple[str, ...]:
    """``only()`` fields for a case's child row: its case's number and school, each named
    person's name."""
    return ("case", "case__number", "case__school_id", *(f"{p}__{f}" for p in people for f in _PERSON))


def _owed_by(who, fallback, post=Role.SAFETY_LEADER) -> dict:
    """Owed by a named person when the record names one, else by the post (the safety leader)."""
    if who is not None:
        return {"owner": _name(who), "owner_ids": (who.pk,), "post": ""}
    return {"owner": fallback, "owner_ids": (), "post": post}


@duties.provider("cases.investigation")
def investigations(user, now):
    if not policy.can(user, f"{P}.view"):
        return

    def build(*overdue_before):
        bureau = _bureau(user)
        scope = _case_q(user, via="case__") | (
            _case_q(user, "register", via="case__") if bureau else Q(pk__in=[])
        )
        mine = Q(investigator=user) | Q(case__owner=user)
        if overdue_before:
            mine |= Q(due_at__lt=overdue_before[0])
        return (
            Investigation.objects.filter(
                scope, mine, finished_at__isnull=True, case__state=CaseState.INVESTIGATING
            )
            .select_related("case", "investigator", "case__owner")
            .only("due_at", *_slim("investigator", "case__owner"))
            .order_by("due_at", "id")
        )

    over = (now,) if duties.oversees(user) else ()
    for inv in sqlcache.rows(("cases.investigation", *sqlcache.reader_key(user)), build, *over):
        c = inv.case
        who = inv.investigator or c.owner
        own_school = any(m.school_id == c.school_id for m in policy.memberships(user))
        yield duties.Duty(
            kind="cases.investigation",
            priority=1,
            title=_("%(number)s 调查") % {"number": c.number},
            detail=_("调查须在时限内完成（LAW 6）"),
            url=_step(c.pk, "investigation") if own_school else _register(c.number),
            **_owed_by(who, _("分管安全副校长")),
            due=inv.due_at,
            ref=f"cases.investigation:{inv.pk}",
            school_id=c.school_id,
            action=_("去调查"),
        )


@duties.provider("cases.first_report")
def first_reports(user, now):
    """首报 due (LAW 7): the school's leaders see every one; the bureau the late ones (迟报)."""
    roles = policy.user_roles(user)
    leaders = roles & {Role.PRINCIPAL, Role.SAFETY_LEADER, Role.MIDDLE_MANAGER}
    bureau = Role.BUREAU_SAFETY in roles
    if not (leaders or bureau or policy.can(user, f"{P}.view")):
        return

    def build(*late_before):
        view = _case_q(user)
        q = view & Q(owner=user)
        if leaders:
            q |= view
        if late_before:
            q |= _case_q(user, "register") & Q(report_due_at__lt=late_before[0])
        return (
            BullyingCase.objects.filter(q)
            .filter(report_required=True, first_reported_at__isnull=True)
            .exclude(state=CaseState.CLOSED)
            .order_by("report_due_at", "id")
            .values_list("id", "number", "school_id", "school__name", "report_due_at")
        )  # plain tuples, words and the register's path once: the bureau sees every school's 迟报

    rows = sqlcache.rows(
        ("cases.first_report", *sqlcache.reader_key(user)), build, *((now,) if bureau else ())
    )
    own = {m.school_id for m in policy.memberships(user) if m.school_id}
    register = reverse("cases:case_list")
    title, owner, action = _("%(number)s 向教体局首报"), _("%(school)s 分管安全副校长"), _("去报告")
    for pk, number, school_id, school, due in rows:
        yield duties.Duty(
            kind="cases.first_report",
            priority=1,
            title=title % {"number": number},
            detail=school,
            url=_step(pk, "report") if school_id in own else f"{register}?number={number}",
            owner=owner % {"school": school},
            post=Role.SAFETY_LEADER,
            due=due,
            ref=f"cases.first_report:{pk}",
            school_id=school_id,
            action=action,
        )


@duties.provider("cases.report_draft")
def report_drafts(user, now):
    """A 续报 or 终报 drafted and not yet sent."""
    if not policy.can(user, f"{P}.report_draft"):
        return

    def build():
        q = Q(drafted_by=user)
        if duties.oversees(user):
            q |= Q(pk__isnull=False)
        return (
            BureauReport.objects.filter(q, _case_q(user, via="case__"), submitted_at__isnull=True)
            .exclude(kind=ReportKind.FIRST)
            .select_related("case", "drafted_by")
            .only("kind", "seq", "school_id", *_slim("drafted_by"))
            .order_by("created_at", "id")
        )

    for r in sqlcache.rows(("cases.report_draft", *sqlcache.reader_key(user)), build):
        yield duties.Duty(
            kind="cases.report_draft",
            title=_("%(number)s %(kind)s待报送") % {"number": r.case.number, "kind": r.title_suffix},
            url=reverse("cases:report_detail", args=[r.pk]),
            owner=_name(r.drafted_by),
            owner_ids=(r.drafted_by_id,),
            ref=f"cases.bureaureport:{r.pk}",
            school_id=r.school_id,
            action=_("去报送"),
        )


@duties.provider("cases.report_sign")
def reports_to_sign(user, now):
    """首报待签发: a drafted report waiting for the principal's (or the designated deputy's)
    sign-off, due at the 首报's legal deadline."""
    if not policy.can(user, f"{P}.report_sign"):
        return

    def build():
        return (
            BureauReport.objects.filter(
                _case_q(user, "report_sign", via="case__"),
                submitted_at__isnull=True,
                signed_off_at__isnull=True,
            )
            .select_related("case", "school")
            .only(
                "kind",
                "seq",
                "created_at",
                "school__name",
                "case__report_due_at",
                "case__report_required",
                *_slim(),
            )
            .order_by("created_at", "id")
        )

    for r in sqlcache.rows(("cases.report_sign", *sqlcache.reader_key(user)), build):
        first = r.kind == ReportKind.FIRST
        yield duties.Duty(
            kind="cases.report_sign",
            priority=1 if first else 0,
            title=_("%(number)s %(kind)s待签发") % {"number": r.case.number, "kind": r.title_suffix},
            detail=_("校长（或校长指定的副校长）签发后方可报送县教体局"),
            url=reverse("cases:report_detail", args=[r.pk]) + "#sign",
            # whoever may sign it owes it: the principal, and the deputy designated (if any)
            owner=_("%(school)s 校长") % {"school": r.school.name},
            due=r.case.report_due_at if first and r.case.report_required else None,
            new=duties.is_new(user, r.created_at, now),
            ref=f"cases.bureaureport:{r.pk}:sign",
            school_id=r.school_id,
            action=_("去签发"),
        )


def _awaiting_ack(user):
    """Reports sent and not yet acknowledged, of the cases ``user`` may acknowledge; the report's
    own county narrows them first (the inbox index), the case's scope then tests each."""
    counties = {m.county_id for m in policy.memberships(user)}
    return BureauReport.objects.filter(
        _case_q(user, "acknowledge", via="case__"),
        county_id__in=counties,
        submitted_at__isnull=False,
        acknowledged_at__isnull=True,
    )


@duties.provider("cases.report_ack")
def reports_to_acknowledge(user, now):
    """The bureau's 待签收: reports the schools sent and nobody acknowledged yet."""
    if not policy.can(user, f"{P}.acknowledge"):
        return
    rows = sqlcache.rows(
        ("cases.report_ack", *sqlcache.reader_key(user)),
        lambda: (
            _awaiting_ack(user)
            .order_by("submitted_at", "id")
            .values_list("id", "kind", "seq", "is_late", "submitted_at", "case__number", "school__name")
        ),
    )  # plain tuples: a bureau's inbox holds a county's reports
    late, owner, action = str(_("迟报")), _("教体局安全股"), _("去签收")
    title, url, kinds = _("签收 %(number)s %(kind)s"), duties.id_path("cases:report_detail"), {}
    since = duties.new_since(user, now)
    for pk, kind, seq, is_late, submitted_at, number, school in rows:
        if (kind, seq) not in kinds:
            kinds[(kind, seq)] = report_title(kind, seq)
        yield duties.Duty(
            kind="cases.report_ack",
            title=title % {"number": number, "kind": kinds[(kind, seq)]},
            detail=" · ".join(filter(None, [school, late if is_late else ""])),
            url=url(pk),
            owner=owner,
            post=Role.BUREAU_SAFETY,
            new=submitted_at > since,
            ref=f"cases.bureaureport:{pk}:ack",
            action=action,
        )


def _open_child(model, user, due_field: str, owner_q: Q, overdue_before=()):
    """A case's open child rows: the user's own, and (``overdue_before``, for those who oversee)
    every one overdue in the user's scope."""
    q = owner_q
    if overdue_before:
        q |= Q(**{f"{due_field}__lt": overdue_before[0]})
    return model.objects.filter(q, _case_q(user, via="case__")).exclude(case__state=CaseState.CLOSED)


def _overdue_before(user, now) -> tuple:
    """Today's date for those who oversee (who also see others' overdue rows), else nothing."""
    return (clock.local_date(now),) if duties.oversees(user) else ()


@duties.provider("cases.follow_up")
def follow_ups(user, now):
    """回访 (R-CASE-9) due this week or overdue."""
    if not policy.can(user, f"{P}.view"):
        return
    horizon = clock.local_date(now) + dt.timedelta(days=duties.DUE_SOON_DAYS)

    def build(horizon, *overdue_before):
        mine = Q(owner=user) | Q(owner__isnull=True, case__owner=user)
        # the case's students of the party's role, and the party's place among them: two
        # bullies' follow-ups are numbered the same for every reader, done or not
        same_role = CaseParty.objects.filter(case_id=OuterRef("case_id"), role=OuterRef("party__role"))

        def counted(qs):
            return Subquery(qs.order_by().values("case_id").annotate(c=Count("id")).values("c")[:1])

        return (
            _open_child(FollowUp, user, "due_on", mine, overdue_before)
            .filter(done_at__isnull=True, due_on__lte=horizon)
            .select_related("case", "owner", "case__owner", "party")
            .only("week", "due_on", "school_id", "party__role", *_slim("owner", "case__owner"))
            .annotate(peers=counted(same_role), place=counted(same_role.filter(id__lte=OuterRef("party_id"))))
            .order_by("due_on", "id")
        )

    key = ("cases.follow_up", *sqlcache.reader_key(user))
    roles = dict(PartyRole.choices)
    for f in sqlcache.rows(key, build, horizon, *_overdue_before(user, now)):
        who = f.owner or f.case.owner
        role = roles.get(f.party.role, "")
        if (f.peers or 0) > 1:  # two students of one role (two bullies): their lines differ
            role = f"{role} {f.place}/{f.peers}"
        yield duties.Duty(
            kind="cases.follow_up",
            title=_("%(number)s 第%(week)s周回访") % {"number": f.case.number, "week": f.week},
            # a case's follow-ups are one a student: which (by role, no name: the bureau sees these)
            detail=_("回访对象：%(role)s") % {"role": role},
            url=_detail(f.case_id),
            **_owed_by(who, _("承办人")),
            due=f.due_on,
            ref=f"cases.followup:{f.pk}",
            school_id=f.school_id,
            action=_("去回访"),
        )


@duties.provider("cases.defence")
def measures_awaiting_defence(user, now):
    """A measure 拟作出 that waits for the student's 陈述申辩 (and a 听证 if asked)."""
    if not policy.can(user, f"{P}.view"):
        return

    def build():
        return (
            Measure.objects.filter(
                Q(decided_by=user)
                | Q(owner=user)
                | Q(case__owner=user)
                | Q(pk__isnull=not duties.oversees(user)),
                _case_q(user, via="case__"),
                state=MeasureState.PROPOSED,
            )
            .exclude(case__state=CaseState.CLOSED)
            .select_related("case", "decided_by")
            .only("item_code", "school_id", *_slim("decided_by"))
            .order_by("decided_at", "id")
        )

    for m in sqlcache.rows(("cases.defence", *sqlcache.reader_key(user)), build):
        yield duties.Duty(
            kind="cases.defence",
            title=_("%(number)s「%(measure)s」待陈述申辩") % {"number": m.case.number, "measure": m.label},
            detail=_("告知家长并记录学生的陈述申辩后措施方可生效"),
            url=_step(m.case_id, "defence"),
            owner=_name(m.decided_by),
            owner_ids=(m.decided_by_id,),
            ref=f"cases.measure:{m.pk}:defence",
            school_id=m.school_id,
            action=_("记录陈述申辩"),
        )


@duties.provider("cases.measure")
def measures_due(user, now):
    """An effective measure to carry out by its due date."""
    if not policy.can(user, f"{P}.view"):
        return
    horizon = clock.local_date(now) + dt.timedelta(days=duties.DUE_SOON_DAYS)

    def build(horizon, *overdue_before):
        mine = Q(owner=user) | Q(owner__isnull=True, case__owner=user)
        return (
            _open_child(Measure, user, "due_on", mine, overdue_before)
            .filter(state=MeasureState.EFFECTIVE, due_on__isnull=False, due_on__lte=horizon)
            .select_related("case", "owner", "case__owner")
            .only("item_code", "owner_unit", "due_on", "school_id", *_slim("owner", "case__owner"))
            .order_by("due_on", "id")
        )

    key = ("cases.measure", *sqlcache.reader_key(user))
    for m in sqlcache.rows(key, build, horizon, *_overdue_before(user, now)):
        who = m.owner or m.case.owner
        yield duties.Duty(
            kind="cases.measure",
            title=_("%(number)s 执行「%(measure)s」") % {"number": m.case.number, "measure": m.label},
            url=_step(m.case_id, "measure_done"),
            **_owed_by(who, m.owner_unit),
            due=m.due_on,
            ref=f"cases.measure:{m.pk}",
            school_id=m.school_id,
            action=_("记录执行"),
        )


@duties.provider("cases.appeal")
def appeals(user, now):
    """An appeal's decision deadline: the school's 申诉委员会, or the bureau's 复查/复核."""
    roles = policy.user_roles(user)
    school = roles & {Role.PRINCIPAL, Role.SAFETY_LEADER, Role.MIDDLE_MANAGER}
    bureau = Role.BUREAU_SAFETY in roles
    if not (school or bureau):
        return

    def build():
        county_kinds = [AppealKind.AUTHORITY_REVIEW, AppealKind.COUNTY_REVIEW, AppealKind.CITY_REVIEW]
        q = Q(pk__in=[])
        if school:
            q |= _case_q(user, via="case__") & Q(kind=AppealKind.SCHOOL_APPEAL)
        if bureau:
            q |= _case_q(user, "review", via="case__") & Q(kind__in=county_kinds)
        return (
            Appeal.objects.filter(q, outcome="")
            .select_related("case", "school")
            .only("kind", "due_on", "school__name", *_slim())
            .order_by("due_on", "id")
        )

    for a in sqlcache.rows(("cases.appeal", *sqlcache.reader_key(user)), build):
        at_school = a.kind == AppealKind.SCHOOL_APPEAL
        yield duties.Duty(
            kind="cases.appeal",
            title=_("%(number)s %(kind)s待决定") % {"number": a.case.number, "kind": a.get_kind_display()},
            url=_step(a.case_id, "appeal_decide" if at_school else "review_decide"),
            owner=_("%(school)s 校长") % {"school": a.school.name} if at_school else _("教体局安全股"),
            post=Role.PRINCIPAL if at_school else Role.BUREAU_SAFETY,
            due=a.due_on,
            ref=f"cases.appeal:{a.pk}",
            school_id=a.school_id if at_school else None,
            action=_("记录决定"),
        )


# No law sets a time for a referral's outcome; the school expects one within two weeks (a
# referral for a measure is due when the measure is).
REFERRAL_OUTCOME_DAYS = 14


def referral_due(r: CaseReferral):
    """When the legal vice-principal or liaison owes the outcome of a referral."""
    if r.measure_id and r.measure.due_on:
        return r.measure.due_on
    return r.referred_at + dt.timedelta(days=REFERRAL_OUTCOME_DAYS)


@duties.provider("cases.referral")
def referrals(user, now):
    """A case referred to this legal vice-principal or liaison, its outcome not yet recorded:
    due with the measure it carries out, else two weeks after the referral. Referrals go to
    those posts only (services.referrals), so no one else asks the database."""
    if not policy.can(user, f"{P}.referral"):
        return
    rows = sqlcache.rows(
        ("cases.referral", *sqlcache.reader_key(user)),
        lambda: (
            CaseReferral.objects.filter(_case_q(user, via="case__"), to_user=user, outcome="")
            .select_related("case", "measure", "school")
            .only("purpose", "referred_at", "school__name", "measure__due_on", *_slim())
            .order_by("referred_at", "id")
        ),
    )
    for r in rows:
        yield duties.Duty(
            kind="cases.referral",
            title=_("%(number)s 移交：%(purpose)s") % {"number": r.case.number, "purpose": r.purpose},
            detail=r.school.name,
            url=_step(r.case_id, "referral_outcome"),
            owner=_name(user),
            owner_ids=(user.pk,),
            due=referral_due(r),
            new=duties.is_new(user, r.referred_at, now),
            ref=f"cases.casereferral:{r.pk}",
            school_id=r.school_id,
            action=_("记录结果"),
        )


@duties.provider("cases.handover")
def handovers(user, now):
    """接手案件: a case reassigned to this user (更换承办人), until they act on it (any entry of
    theirs on the case's timeline after the handover); due a day after the handover."""
    from django.db.models import Exists, OuterRef

    from anxin.cases.models import CaseEvent
    from anxin.cases.services.handover import REASSIGNED

    if not policy.can(user, f"{P}.change"):
        return

    def build():
        acted = CaseEvent.objects.filter(
            case_id=OuterRef("case_id"), seq__gt=OuterRef("seq"), actor_id=user.pk
        )
        return (
            CaseEvent.objects.filter(
                _case_q(user, "change", via="case__"),
                kind=REASSIGNED,
                data__to=user.pk,
                case__owner=user,
            )
            .exclude(case__state=CaseState.CLOSED)
            .annotate(acted=Exists(acted))
            .filter(acted=False)
            .select_related("case")
            .only("summary", "at", "seq", *_slim())
            .order_by("-seq")
        )

    rows = sqlcache.rows(("cases.handover", *sqlcache.reader_key(user)), build)
    seen = set()
    for ev in rows:
        if ev.case_id in seen:
            continue
        seen.add(ev.case_id)
        yield duties.Duty(
            kind="cases.handover",
            priority=2,
            title=_("接手案件 %(number)s") % {"number": ev.case.number},
            detail=ev.summary,
            url=_detail(ev.case_id),
            owner=_name(user),
            owner_ids=(user.pk,),
            due=ev.at + dt.timedelta(days=1),
            new=duties.is_new(user, ev.at, now),
            ref=f"cases.handover:{ev.pk}",
            school_id=ev.case.school_id,
            action=_("去办理"),
        )


# --- figures ---------------------------------------------------------------------------------


@duties.figure("cases")
def figures(user, now):
    from django.db.models import Count

    from anxin.cases.filters import late_q

    roles = policy.user_roles(user)
    leaders = roles & {Role.PRINCIPAL, Role.SAFETY_LEADER}
    bureau = Role.BUREAU_SAFETY in roles
    out = []
    if leaders or bureau:
        row = BullyingCase.objects.restrict(user, "register").aggregate(
            open=Count("id", filter=~Q(state=CaseState.CLOSED)), late=Count("id", filter=late_q())
        )
        base = reverse("cases:case_list")
        if leaders:
            out.append(duties.Figure("cases.open", _("办理中的欺凌事件"), row["open"], base + "?open=true"))
        out.append(
            duties.Figure("cases.late", _("迟报"), row["late"], base + "?late=true", alert=row["late"] > 0)
        )
    if bureau and policy.can(user, f"{P}.acknowledge"):
        n = _awaiting_ack(user).count()
        out.append(
            duties.Figure(
                "cases.unacknowledged",
                _("待签收的报告"),
                n,
                reverse("cases:report_list") + "?unacknowledged=true",
                alert=n > 0,
            )
        )
    return out
