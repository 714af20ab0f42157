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


def inspections(user):
    return _or(user, Inspection, Q(team__user_id=user.pk))


def visits(user):
    return _or(user, Visit, Q(inspection__team__user_id=user.pk))


def rectifications(user):
    return _or(user, RectificationItem, Q(visit__inspection__team__user_id=user.pk))


def referrals(user):
    return _or(user, Referral, Q(recipient_id=user.pk))


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
    from anxin.supervision.models import TeamMember

    return TeamMember.objects.filter(inspection_id=inspection_id, user_id=user.pk).exists()


def may_work(user, visit: Visit) -> bool:
    """May ``user`` score the visit and raise, verify or return its rectification items? The
    policy (bureau; a supervisor of the school), or a member of the joint inspection's team."""
    return policy.allows(user, visit, "change") or on_team(user, visit.inspection_id)
