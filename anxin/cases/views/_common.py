"""What the case pages share: the one way to get a case (``get_case_for_user``) and the
elapsed-time text of the case and report pages."""

from __future__ import annotations

from anxin.cases import permissions
from anxin.cases.models import (
    BullyingCase,
    CaseState,
)
from anxin.core import clock, sqlcache
from anxin.core.access import deny, get_for_user

S = CaseState


def get_case_for_user(request, pk, action: str = "view") -> BullyingCase:
    """The one way to get a case (GUIDE conventions): scoped by the case rules, 404 outside
    scope (audited), every read audited (a case is a sensitive record, LAW 18)."""
    user = request.user

    def fetch(case_id):
        # the statement depends on the reader's posts and grants alone: kept (core.sqlcache)
        rows = sqlcache.rows(
            ("cases.get_case", *sqlcache.reader_key(user)),
            lambda cid: (
                BullyingCase.objects.select_related(
                    "school", "county", "owner", "opened_by", "first_responder"
                )
                .restrict(user, "view")
                .filter(pk=cid)
            ),
            case_id,
        )
        return rows[0] if rows else None

    case = get_for_user(request, BullyingCase, pk, "view", sensitive=True, fetch=fetch)
    if action != "view" and not permissions.can_case(request.user, case, action):
        deny(request, f"cases.bullyingcase.{action}", "cases.bullyingcase", case.pk)
    return case


def _elapsed_text(since, until=None) -> str:
    delta = (until or clock.now()) - since
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    return (f"{days}天" if days else "") + f"{hours}小时{mins}分"
