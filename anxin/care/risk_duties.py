"""Duties of risk → action (see ``anxin.care.risk_actions``), registered with core.duties.

Imported from ``CareConfig.ready`` (it also connects the engine's ``levels_changed`` signal),
so the providers are known whatever the order in which apps' ``duties`` modules load.

- ``care.risk_first_contact``: the owner (班主任 for 橙, 心理教师 for 红) owes the first talk
  and the plan, due the day the level was reached, until a plan exists (橙: or a contact was
  logged since).
- ``care.risk_red_unplanned``: the principal sees a 红 student still without a plan 24 hours
  after the level was reached, as overdue.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from anxin.care import risk_actions
from anxin.core import duties, policy, sqlcache
from anxin.core.roles import Role
from anxin.screening import risk_events

FIRST_CONTACT = "care.risk_first_contact"
RED_UNPLANNED = "care.risk_red_unplanned"


def _student_url(student) -> str:
    return reverse("roster:student_detail", args=[student.pk])


def _detail(p: risk_actions.Proposal) -> str:
    reasons = "；".join(r.get("text", "") for r in p.reasons[:3])
    return _("风险等级%(level)s") % {"level": p.level_label} + (f"：{reasons}" if reasons else "")


def _klass(student) -> str:
    k = student.klass
    return f"{k.grade.name}{k.name}" if k else ""


@duties.provider(FIRST_CONTACT)
def first_contacts(user, now):
    q = risk_actions.owned_q(user)
    if q is None:
        return
    can_plan = policy.can(user, "care.careplan.change")
    for p in risk_actions.proposals(q, key=(FIRST_CONTACT, *sqlcache.reader_key(user))):
        if p.owner_done:
            continue
        st = p.student
        if p.action.level == "red" and can_plan:
            title = _("为%(name)s制定关爱帮扶计划（%(level)s）") % {"name": st.name, "level": p.level_label}
            url = (
                reverse("care:plan_create")
                + "?"
                + urlencode({"student": st.pk, "kind": "care", "level": p.level, "owner": user.pk})
            )
        else:
            title = _("与%(name)s首次谈心（%(level)s）") % {"name": st.name, "level": p.level_label}
            url = _student_url(st)
        yield duties.Duty(
            kind=FIRST_CONTACT,
            title=title,
            url=url,
            owner=str(Role(p.action.owner_role).label),
            due=p.first_contact_due,
            detail=f"{_klass(st)} · {_detail(p)}",
            ref=f"roster.student:{st.pk}",
            new=True,
            school_id=st.school_id,
            extra={"student_id": st.pk, "level": p.level},
        )


@duties.provider(RED_UNPLANNED)
def red_without_plan(user, now):
    q = risk_actions.escalated_q(user)
    if q is None:
        return
    for p in risk_actions.proposals(q, key=(RED_UNPLANNED, *sqlcache.reader_key(user))):
        due = p.escalation_due
        if p.has_plan or due is None or due > now:
            continue
        st = p.student
        yield duties.Duty(
            kind=RED_UNPLANNED,
            title=_("%(name)s风险等级%(level)s已超过%(hours)s小时未建立关爱计划")
            % {"name": st.name, "level": p.level_label, "hours": p.action.escalate_after_hours},
            url=_student_url(st),
            owner=str(Role(p.action.escalate_role).label),
            due=due,
            detail=f"{_klass(st)} · {_detail(p)}",
            ref=f"roster.student:{st.pk}",
            school_id=st.school_id,
            extra={"student_id": st.pk, "level": p.level},
        )


risk_events.levels_changed.connect(risk_actions.on_levels_changed, dispatch_uid="care-risk-actions")
