"""Follow-up (R-CASE-9): the 回访 after 1, 4 and 12 weeks, and human notes on a case."""

from __future__ import annotations

import datetime as dt

from anxin.cases.models import (
    CaseNote,
    FollowUp,
    FollowUpOutcome,
)
from anxin.cases.services._common import Refused, _acting, _event, _now, case_url, school_leaders
from anxin.core.notify import notify

# --- follow-up, notes ------------------------------------------------------------------------


def record_follow_up(
    follow_up: FollowUp,
    *,
    by,
    outcome: str,
    note: str = "",
    done_at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> FollowUp:
    """A 回访 done (R-CASE-9). A repeat alerts the safety leader (重点盯防)."""
    if outcome not in FollowUpOutcome.values:
        raise Refused("请选择回访情况")
    with _acting(follow_up.case_id, by, "change", step="follow_up", expected_version=expected_version) as c:
        f = FollowUp.objects.select_for_update().get(pk=follow_up.pk, case=c)
        if f.done_at is not None:
            raise Refused("该次回访已记录")
        f.done_at, f.done_by, f.outcome, f.note = done_at or _now(), by, outcome, note.strip()[:300]
        f.save(update_fields=["done_at", "done_by", "outcome", "note", "updated_at"])
        _event(
            c,
            "follow_up",
            f"第{f.week}周回访（学生#{f.party_id}）：{f.get_outcome_display()}",
            by,
            data={"id": f.pk, "outcome": outcome},
        )
        if outcome == FollowUpOutcome.REPEAT:
            notify(
                school_leaders(c.school_id),
                kind="watch_alert",
                title=f"{c.number} 回访发现再次欺凌，请重点盯防",
                url=case_url(c),
                dedupe_key=f"followup:{f.pk}:repeat",
                school=c.school_id,
            )
        return f


def add_note(case, *, by, text: str, expected_version: int | None = None) -> CaseNote:
    """A human note, apart from the machine timeline; the timeline records that it was added."""
    if not text.strip():
        raise Refused("请填写备注内容")
    with _acting(case, by, ["change", "note"], step="note", expected_version=expected_version) as c:
        n = CaseNote.objects.create(
            county_id=c.county_id, school_id=c.school_id, case=c, author=by, text=text.strip()
        )
        _event(c, "note", "添加备注", by, data={"id": n.pk})
        return n
