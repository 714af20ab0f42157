"""Sealed records (LAW 24; PJDL Art 59 未成年人犯罪记录封存).

A case's record is sealed with a reason by a named role (``cases.bullyingcase.seal``: the
school's principal or safety leader, or the 法治副校长 the case was referred to) and from then
on is seen only by the named roles (``cases.bullyingcase.sealed_view``: the school's principal
and safety leader, the 法治副校长 and the 公检法 liaison it was referred to — each still within
their own scope). For everyone else it is gone from the register, its filters (search), the
.xlsx export, the bureau report list and .docx, the 工作台 figures and the API, list and detail
alike: the one place is :func:`hide_sealed`, applied by ``permissions.case_scope_q`` to every
membership's scope, so each surface that reads cases through ``BullyingCase.objects.restrict``
(they all do) leaves it out. Unsealing needs a reason too; both are audited, recorded on the
case timeline and kept as :class:`~anxin.cases.seal_models.CaseSeal` rows (never deleted).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anxin.core import audit, clock, policy

SEAL = "cases.bullyingcase.seal"
SEALED_VIEW = "cases.bullyingcase.sealed_view"
MIN_REASON = 5


def sealed_case_ids():
    from anxin.cases.seal_models import CaseSeal

    return CaseSeal.objects.filter(unsealed_at__isnull=True).values("case_id")


def hide_sealed(q: Q, role: str | None) -> Q:
    """``q`` (a scope over cases) without the sealed cases, unless ``role`` is a named role."""
    if role is not None and role in policy.roles_with(SEALED_VIEW):
        return q
    return q & ~Q(pk__in=sealed_case_ids())


def active_seal(case):
    from anxin.cases.seal_models import CaseSeal

    return CaseSeal.objects.filter(case_id=case.pk, unsealed_at__isnull=True).first()


def _check(by, case, reason: str, what: str) -> str:
    from anxin.cases import permissions
    from anxin.cases.services import Refused

    if not policy.can(by, SEAL) or not permissions.can_case(by, case, "seal"):
        raise PermissionDenied("只有校长、分管安全副校长或受移交的法治副校长可以封存或解除封存案件记录")
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise Refused(f"请写明{what}理由（依据的决定或文书，不少于{MIN_REASON}个字）")
    return reason


def _timeline(case, kind: str, summary: str, by, data: dict):
    from anxin.cases import timeline
    from anxin.cases.models import BullyingCase

    locked = BullyingCase.objects.select_for_update().get(pk=case.pk)
    timeline.append(locked, kind, summary, by=by, data=data)
    locked.save(update_fields=["timeline_seq", "timeline_hash"])


def seal(case, *, by, reason: str):
    """Seal the case's record (LAW 24). Refused without a reason, or when it is sealed already."""
    from anxin.cases.seal_models import CaseSeal
    from anxin.cases.services import Refused

    reason = _check(by, case, reason, "封存")
    with transaction.atomic():
        if active_seal(case) is not None:
            raise Refused("本案记录已封存")
        s = CaseSeal.objects.create(
            county_id=case.county_id,
            school_id=case.school_id,
            case_id=case.pk,
            sealed_at=clock.now(),
            sealed_by=by,
            reason=reason[:1000],
        )
        _timeline(
            case, "record.sealed", "案件记录封存（预防未成年人犯罪法第五十九条）", by, {"seal_id": s.pk}
        )
        audit.record("case.seal", case, data={"seal_id": s.pk})
    return s


def unseal(case, *, by, reason: str):
    """Lift the seal (LAW 24), with a reason."""
    from anxin.cases.services import Refused

    reason = _check(by, case, reason, "解除封存")
    with transaction.atomic():
        s = active_seal(case)
        if s is None:
            raise Refused("本案记录未封存")
        s.unsealed_at = clock.now()
        s.unsealed_by = by
        s.unseal_reason = reason[:1000]
        s.save(update_fields=["unsealed_at", "unsealed_by", "unseal_reason", "updated_at"])
        _timeline(case, "record.unsealed", "解除案件记录封存", by, {"seal_id": s.pk})
        audit.record("case.unseal", case, data={"seal_id": s.pk})
    return s


def page_context(user, case, *, rights: set[str] | None = None, sealed: bool = True) -> dict:
    """What the case page shows of the seal: the seal in force and whether the user may act.
    The page hands over the rights it has read (``"seal"`` among them) and whether the case has
    any seal row at all, so neither is asked again."""
    from anxin.cases import permissions

    if rights is None:
        may = policy.can(user, SEAL) and permissions.can_case(user, case, "seal")
    else:
        may = policy.can(user, SEAL) and "seal" in rights
    return {"active": active_seal(case) if sealed else None, "can": may}


@require_POST
@login_required
def seal_view(request, pk):
    from django.core.exceptions import ValidationError

    from anxin.cases.views import get_case_for_user

    case = get_case_for_user(request, pk, "seal")
    unsealing = request.POST.get("op") == "unseal"
    try:
        (unseal if unsealing else seal)(case, by=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("已解除封存。") if unsealing else _("案件记录已封存。"))
    return redirect("cases:case_detail", pk=case.pk)
