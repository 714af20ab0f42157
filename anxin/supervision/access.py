"""Who sees what beyond the policy's scope: a joint inspection's team members (a liaison, a
supervisor of another school) see that inspection and its visits; a referral's recipient (法治副校长,
联络员) sees that referral. Everything else is the policy's scope (deny by default)."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from anxin.core import audit, policy
from anxin.supervision.models import Inspection, RectificationItem, Referral, Visit


def _or(user, model, extra: Q, action: str = "view"):
    q = policy.scope_q(user, model, action)
    if not getattr(user, "is_authenticated", False):
        return model.objects.none()
    full = extra if q is None else (q | extra)
    return model.objects.filter(full).distinct()


JOIN = "supervision.inspection.join"


def _team(user, path: str) -> Q:
    """Rows of the joint inspections the user is on the team of: only for a member who holds
    the right to take part (a supervisor, a partner liaison, a 法治副校长), not any account."""
    if not getattr(user, "is_authenticated", False) or not policy.can(user, JOIN):
        return Q(pk__in=[])
    return Q(**{path: user.pk})


def inspections(user):
    return _or(user, Inspection, _team(user, "team__user_id"))


def visits(user):
    return _or(user, Visit, _team(user, "inspection__team__user_id"))


def rectifications(user):
    return _or(user, RectificationItem, _team(user, "visit__inspection__team__user_id"))


def referrals(user):
    # the recipient sees what was sent to them while they hold the right to answer it
    mine = (
        Q(recipient_id=user.pk)
        if getattr(user, "is_authenticated", False) and policy.can(user, "supervision.referral.respond")
        else Q(pk__in=[])
    )
    return _or(user, Referral, mine)


def load(request, qs, pk):
    """The object from ``qs`` (already the user's visible rows) or 404, audited as a denial."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    obj = qs.filter(pk=pk).first()
    if obj is None:
        audit.append(
            "denied",
            object_type=qs.model._meta.label_lower,
            object_id=pk,
            result="denied",
            data={"perm": policy.perm_name(qs.model, "view")},
        )
        raise Http404
    return obj


def on_team(user, inspection_id) -> bool:
    if inspection_id is None or not getattr(user, "is_authenticated", False):
        return False
    if not policy.can(user, JOIN):
        return False
    from anxin.supervision.models import TeamMember

    return TeamMember.objects.filter(inspection_id=inspection_id, user_id=user.pk).exists()


def may_work(user, visit: Visit) -> bool:
    """May ``user`` score the visit and raise, verify or return its rectification items? The
    policy (bureau; a supervisor of the school), or a member of the joint inspection's team."""
    return policy.allows(user, visit, "change") or on_team(user, visit.inspection_id)
