"""Support after bullying (LAW 9): counselling, stricter supervision, 家庭教育指导."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied

from anxin.cases import permissions
from anxin.cases.models import (
    CaseParty,
    SupportAction,
    SupportKind,
)
from anxin.cases.services._common import Refused, _acting, _event, _now

# --- support (LAW 9) ---------------------------------------------------------------------------


def record_support(
    case,
    *,
    by,
    party: CaseParty,
    kind: str,
    done_at: dt.datetime | None = None,
    provider: str = "",
    summary: str = "",
    notes: str = "",
    owner=None,
    due_on: dt.date | None = None,
    expected_version: int | None = None,
) -> SupportAction:
    """Record (or plan, without ``done_at``) counselling, a supervision plan or 家庭教育指导.
    A counsellor records counselling only (ROLES.md)."""
    if kind not in SupportKind.values:
        raise Refused("请选择事项")
    manager = permissions.can_case(by, case, "change")
    if not manager and kind not in (SupportKind.VICTIM_COUNSELLING, SupportKind.BULLY_COUNSELLING):
        raise PermissionDenied("cases.bullyingcase.support")
    with _acting(case, by, "support", step="support", expected_version=expected_version) as c:
        if party.case_id != c.pk or not party.student_id:
            raise Refused("请选择本案的当事学生")
        if done_at is not None and done_at > _now() + dt.timedelta(minutes=5):
            raise Refused("完成时间不能晚于现在")
        action = (
            SupportAction.objects.select_for_update()
            .filter(case=c, party=party, kind=kind, done_at__isnull=True)
            .order_by("id")
            .first()
        )
        if action is None:
            action = SupportAction(
                county_id=c.county_id, school_id=c.school_id, case=c, party=party, kind=kind
            )
        action.owner = owner or action.owner or by
        action.due_on = due_on or action.due_on
        if done_at is not None:
            action.done_at, action.provider, action.summary = done_at, provider.strip(), summary.strip()
            action.notes = notes
            action.recorded_by = by
        action.save()
        _event(
            c,
            "support",
            f"{SupportKind(kind).label}：学生#{party.pk}" + ("已完成" if done_at else "已安排"),
            by,
            data={"id": action.pk, "kind": kind, "done": done_at is not None},
        )
        return action
