"""更换承办人: a case handed to another of the school's case handlers. The new owner is told
at once and owes "接手案件" on 工作台 until they act on the case (anxin.cases.duties)."""

from __future__ import annotations

from django.urls import reverse

from anxin.cases import permissions
from anxin.cases.models import Investigation
from anxin.cases.services._common import Refused, _acting, _event, _touch, _user_label
from anxin.core.notify import notify

REASSIGNED = "owner.changed"


def reassign_case(case, *, by, to_user, reason: str = "", expected_version: int | None = None):
    """Make ``to_user`` the case's 承办人 (they must be able to handle the school's cases);
    an unfinished investigation the former owner led moves with it."""
    reason = (reason or "").strip()[:200]
    with _acting(case, by, "change", step="reassign", expected_version=expected_version) as c:
        if to_user is None or not to_user.is_active:
            raise Refused("请选择新的承办人")
        if c.owner_id == to_user.pk:
            raise Refused(f"{_user_label(to_user)}已是本案承办人")
        if not permissions.can_case(to_user, c, "change"):
            raise Refused("新的承办人须能办理本校案件（校长、分管安全副校长或德育/政教主任）")
        before = c.owner_id
        c.owner = to_user
        _touch(c, "owner_id")
        inv = Investigation.objects.filter(case=c, finished_at__isnull=True).first()
        if inv is not None and inv.investigator_id in (before, None):
            inv.investigator = to_user
            inv.save(update_fields=["investigator", "updated_at"])
        _event(
            c,
            REASSIGNED,
            f"承办人改为{_user_label(to_user)}" + (f"：{reason}" if reason else ""),
            by,
            data={"from": before, "to": to_user.pk},
        )
        n = c.events.filter(kind=REASSIGNED).count()
        notify(
            [to_user],
            kind="case_reassigned",
            title=f"案件 {c.number} 改由你承办",
            body=reason,
            url=reverse("cases:case_detail", args=[c.pk]),
            dedupe_key=f"case:{c.pk}:owner:{to_user.pk}:{n}",
            school=c.school_id,
        )
        return c
