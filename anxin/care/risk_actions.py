"""Risk → action (R-SCR-4 → R-CARE-1; seed 二(一) “早发现、早预防、早控制”).

A student reaching 橙 or 红 gets a care plan *proposed*: an owner (the class teacher; the
counsellor for 红), a first contact due at once (the same day), the owner told on the task
queue run that raised the level. The proposal is not a row typed by anyone: it is derived
from the risk engine's state and history and disappears when the work is done (a plan exists,
or — where the table says so — a contact was logged since the level was reached). A 红
student still without a plan 24 hours after reaching 红 is overdue for the principal.

``RISK_ACTIONS`` is the rule table (data, reviewed like ``screening.risk_rules``); the engine
below holds no rule of its own. Every function runs a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef, Q
from django.utils.translation import gettext as _

from anxin.accounts.posts import holders, recipients_for  # noqa: F401 — who holds a post
from anxin.core import clock, policy, sqlcache
from anxin.core.roles import ROLE_SCOPE, Role, ScopeLevel
from anxin.screening.risk_rules import GREEN, LEVEL_LABELS, LEVEL_RANK, ORANGE, RED

PLAN = "plan"  # an active care or watch plan for the student
CONTACT = "contact"  # any contact logged since the level was reached


@dataclass(frozen=True)
class RiskAction:
    """What reaching ``level`` sets in motion."""

    level: str
    owner_role: str  # who owes the first contact and carries the plan
    notify_roles: tuple[str, ...]  # told at once (the owner first)
    first_contact_days: int  # 0: due the same day
    done_by: tuple[str, ...]  # what clears the owner's duty
    measures: tuple[str, ...]  # the plan's proposed measures (care.models.Measure)
    escalate_role: str | None = None  # who sees it overdue when no plan follows …
    escalate_after_hours: int | None = None  # … after this long
    source: str = ""


RISK_ACTIONS: tuple[RiskAction, ...] = (
    RiskAction(
        level=RED,
        owner_role=Role.COUNSELLOR,
        notify_roles=(Role.COUNSELLOR, Role.CLASS_TEACHER),
        first_contact_days=0,
        done_by=(PLAN,),
        measures=("talk", "counselling"),
        escalate_role=Role.PRINCIPAL,
        escalate_after_hours=24,
        source="SPEC R-CARE-1；贺教发〔2024〕7号 二(一) “早发现、早预防、早控制”",
    ),
    RiskAction(
        level=ORANGE,
        owner_role=Role.CLASS_TEACHER,
        notify_roles=(Role.CLASS_TEACHER,),
        first_contact_days=0,
        done_by=(PLAN, CONTACT),
        measures=("talk",),
        source="SPEC R-CARE-1；贺教发〔2024〕7号 三、第二阶段 “加强对弱势群体帮扶”",
    ),
)


def action_for(level: str | None) -> RiskAction | None:
    return next((a for a in RISK_ACTIONS if a.level == level), None)


def rises_into(level: str, previous: str | None) -> RiskAction | None:
    """The action a change from ``previous`` to ``level`` sets off (None when the level did not
    rise into a row of the table)."""
    action = action_for(level)
    if action is None:
        return None
    if LEVEL_RANK.get(previous or GREEN, 0) >= LEVEL_RANK[level]:
        return None
    return action


@dataclass
class Proposal:
    """A care plan proposed for one student, with the facts its duties need."""

    student: object
    level: str
    action: RiskAction
    reached_at: dt.datetime
    reasons: list
    has_plan: bool
    last_contact_at: dt.datetime | None

    @property
    def first_contact_due(self) -> dt.date:
        return clock.local_date(self.reached_at) + dt.timedelta(days=self.action.first_contact_days)

    @property
    def owner_done(self) -> bool:
        if PLAN in self.action.done_by and self.has_plan:
            return True
        return bool(
            CONTACT in self.action.done_by
            and self.last_contact_at
            and self.last_contact_at >= self.reached_at
        )

    @property
    def escalation_due(self) -> dt.datetime | None:
        if self.action.escalate_after_hours is None:
            return None
        return self.reached_at + dt.timedelta(hours=self.action.escalate_after_hours)

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level, "")

    @property
    def first_contact_at(self) -> dt.datetime | None:
        """The first contact's record time, once one was logged since the level was reached."""
        c = self.last_contact_at
        return c if c and c >= self.reached_at else None

    @property
    def owner_label(self) -> str:
        return str(Role(self.action.owner_role).label)

    @property
    def overdue_days(self) -> int:
        return max(0, (clock.today() - self.first_contact_due).days)


def _reached_at(history: list[tuple[str, dt.datetime]], level: str, fallback: dt.datetime) -> dt.datetime:
    """When the current run at ``level`` or above began; ``history`` is newest first."""
    reached = None
    for lvl, at in history:
        if LEVEL_RANK.get(lvl, 0) < LEVEL_RANK[level]:
            break
        reached = at
    return reached or fallback


def proposals(state_q: Q, *, key: tuple | None = None) -> list[Proposal]:
    """Proposals for the risk states matching ``state_q`` (levels of the table, enrolled
    students). Three queries whatever their number. With ``key`` (everything ``state_q`` is made
    of: the reader's posts, core.sqlcache.reader_key), the statements are built once per
    process (工作台 asks on every visit); the other two are keyed by the students' ids."""
    from anxin.care.models import CarePlan, ContactLog
    from anxin.screening.models import RiskAssessment, RiskState

    def states_query():
        has_plan = Exists(
            CarePlan.objects.filter(student=OuterRef("student_id"), status=CarePlan.Status.ACTIVE)
        )
        return (
            RiskState.objects.filter(
                state_q, level__in=[a.level for a in RISK_ACTIONS], student__status="enrolled"
            )
            .annotate(has_plan=has_plan)
            .select_related("student__klass__grade")
            .order_by("changed_at", "pk")
        )

    def history_query(ids):
        return (
            RiskAssessment.objects.filter(student_id__in=ids)
            .order_by("student_id", "-at", "-id")
            .values_list("student_id", "level", "at")
        )

    def contacts_query(ids):
        return (
            ContactLog.objects.filter(student_id__in=ids)
            .values_list("student_id")
            .annotate(last=Max("created_at"))
            .order_by()
        )

    if key is None:
        states = list(states_query())
    else:
        states = sqlcache.rows(("care.risk_states", *key), states_query)
    if not states:
        return []
    ids = tuple(sorted({s.student_id for s in states}))
    if key is None:
        found, last = history_query(ids), contacts_query(ids)
    else:
        found = sqlcache.rows(("care.risk_history", ids), lambda: history_query(ids))
        last = sqlcache.rows(("care.risk_contacts", ids), lambda: contacts_query(ids))
    history: dict[int, list] = defaultdict(list)
    for sid, lvl, at in found:
        history[sid].append((lvl, at))
    contacts = dict(last)
    out = []
    for st in states:
        action = action_for(st.level)
        out.append(
            Proposal(
                student=st.student,
                level=st.level,
                action=action,
                reached_at=_reached_at(history.get(st.student_id, []), st.level, st.changed_at),
                reasons=st.reasons or [],
                has_plan=st.has_plan,
                last_contact_at=contacts.get(st.student_id),
            )
        )
    return out


def _scope_q(user, role: str, level: str) -> Q | None:
    """The risk states of ``level`` within the user's memberships of ``role``."""
    parts = []
    for m in policy.memberships(user):
        if m.role != role:
            continue
        if ROLE_SCOPE[role] == ScopeLevel.CLASS and m.klass_id:
            parts.append(Q(student__klass_id=m.klass_id))
        elif ROLE_SCOPE[role] == ScopeLevel.SCHOOL and m.school_id:
            parts.append(Q(school_id=m.school_id))
    if not parts:
        return None
    q = parts[0]
    for p in parts[1:]:
        q |= p
    return q & Q(level=level)


def owned_q(user) -> Q | None:
    """Risk states whose proposal this user owns (by post)."""
    qs = [q for a in RISK_ACTIONS if (q := _scope_q(user, a.owner_role, a.level)) is not None]
    return _or(qs)


def escalated_q(user) -> Q | None:
    qs = [
        q
        for a in RISK_ACTIONS
        if a.escalate_role and (q := _scope_q(user, a.escalate_role, a.level)) is not None
    ]
    return _or(qs)


def _or(qs):
    if not qs:
        return None
    q = qs[0]
    for extra in qs[1:]:
        q |= extra
    return q


def proposal_for(student) -> Proposal | None:
    """The open proposal of one student (the student page), or None."""
    found = proposals(Q(student_id=student.pk))
    return found[0] if found else None


# --- telling the owner (on the task run that raised the level) ------------------------------------


def on_levels_changed(sender, changes, **kwargs) -> int:
    """The engine raised some students' levels: tell each proposal's owner (and the others the
    table names) at once. Students who already have a plan need no proposal."""
    from django.urls import reverse

    from anxin.care.models import CarePlan
    from anxin.core.notify import notify
    from anxin.roster.models import Student

    rising = {sid: action for sid, level, prev in changes if (action := rises_into(level, prev))}
    if not rising:
        return 0
    planned = set(
        CarePlan.objects.filter(student_id__in=list(rising), status=CarePlan.Status.ACTIVE).values_list(
            "student_id", flat=True
        )
    )
    students = list(Student.objects.filter(pk__in=[s for s in rising if s not in planned], status="enrolled"))
    if not students:
        return 0
    roles = {r for a in rising.values() for r in a.notify_roles}
    members = holders(
        roles, school_ids={s.school_id for s in students}, klass_ids={s.klass_id for s in students}
    )
    sent = 0
    today = clock.today().isoformat()
    for st in students:
        action = rising[st.pk]
        level = LEVEL_LABELS[action.level]
        sent += len(
            notify(
                recipients_for(st, action.notify_roles, members),
                kind="risk_action",
                # no child's name in e-mail: the page names the student to those allowed
                title=_("有学生风险等级升至%(level)s，请今天完成首次谈心并建立关爱帮扶计划")
                % {"level": level},
                body=_("风险等级%(level)s。请打开学生页面查看原因，今天内完成首次谈心谈话。")
                % {"level": level},
                url=reverse("roster:student_detail", args=[st.pk]),
                dedupe_key=f"risk-action:{st.pk}:{action.level}:{today}",
                school=st.school_id,
                county=st.county_id,
            )
        )
    return sent


def plan_initial(student, params) -> dict:
    """The proposed plan as the plan form's initial values (``?owner=`` names the owner)."""
    out: dict = {}
    if params.get("kind", "care") == "care":
        p = proposal_for(student)
        if p is not None and not p.has_plan:
            out = {
                "level": p.level,
                "measures": list(p.action.measures),
                "reason": "；".join(r.get("text", "") for r in p.reasons)[:200],
            }
    owner = params.get("owner") or ""
    if owner.isdigit():
        out["owner"] = int(owner)
    return out


def proposal_from_hub(hub) -> Proposal | None:
    """The open proposal from what the student page (``roster.hub``) already read (no query)."""
    action = action_for(hub.risk.level)
    if action is None:
        return None
    history = [(a.level, a.at) for a in hub.risk_history]
    p = Proposal(
        student=hub.student,
        level=hub.risk.level,
        action=action,
        reached_at=_reached_at(history, hub.risk.level, hub.risk.changed_at),
        reasons=hub.risk.reasons or [],
        has_plan=bool(hub.active_plans),
        last_contact_at=max((c.created_at for c in hub.contacts), default=None),
    )
    return None if p.has_plan else p
