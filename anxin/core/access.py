"""One way to get an object (healthchecks' _get_check_for_user): scope, 404, audit."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from anxin.core import audit, policy


def deny(request, perm: str, obj_type: str = "", obj_id="") -> None:
    audit.append(
        "denied",
        object_type=obj_type,
        object_id=obj_id,
        result="denied",
        data={"perm": perm, "path": request.path[:200]},
    )
    raise PermissionDenied(perm)


def require(request, perm: str) -> None:
    """Refuse (403, audited) unless the user holds ``perm`` somewhere."""
    if not policy.can(request.user, perm):
        deny(request, perm)


def get_for_user(
    request, model, pk, action: str = "view", *, sensitive: bool = False, queryset=None, fetch=None
):
    """The object if the user may ``action`` it; else 404 (outside scope: existence is not
    revealed) and an audited denial. ``sensitive`` reads are audited as reads (LAW 18).
    ``fetch(pk)`` replaces the read for a caller that keeps its statement (it must apply the
    same scope: ``restrict(user, action)``)."""
    qs = queryset if queryset is not None else model.objects.all()
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    obj = fetch(pk) if fetch is not None else qs.restrict(request.user, action).filter(pk=pk).first()
    if obj is None:
        audit.append(
            "denied",
            object_type=model._meta.label_lower,
            object_id=pk,
            result="denied",
            data={"perm": policy.perm_name(model, action)},
        )
        raise Http404
    if sensitive:
        audit.record(
            "read", obj, data={"view": request.resolver_match.view_name if request.resolver_match else ""}
        )
    return obj


def check(request, obj, action: str) -> None:
    """403 (audited) unless the user may ``action`` this object they can already see."""
    if not policy.allows(request.user, obj, action):
        deny(request, policy.perm_name(type(obj), action), obj._meta.label_lower, obj.pk)
