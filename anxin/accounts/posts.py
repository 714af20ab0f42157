"""Who holds a post: the active memberships of some roles at some schools or classes, and which
of them answer for one student (used to tell the right people: risk → action, survey
disclosures)."""

from __future__ import annotations

from django.db.models import Q

from anxin.core.roles import ROLE_SCOPE, ScopeLevel


def holders(roles, *, school_ids=(), klass_ids=()) -> list:
    """Active memberships of ``roles`` at these schools / classes, users loaded (one query)."""
    from anxin.accounts.models import Membership

    return list(
        Membership.objects.active()
        .filter(role__in=list(roles), user__is_active=True)
        .filter(Q(school_id__in=list(school_ids)) | Q(klass_id__in=list(klass_ids)))
        .select_related("user")
        .order_by("started_on", "pk")
    )


def recipients_for(student, roles, members) -> list:
    out = []
    for role in roles:
        for m in members:
            if m.role != role:
                continue
            if ROLE_SCOPE[role] == ScopeLevel.CLASS and m.klass_id != student.klass_id:
                continue
            if ROLE_SCOPE[role] == ScopeLevel.SCHOOL and m.school_id != student.school_id:
                continue
            out.append(m.user)
    return out
