"""LAW 3 exception, last condition (seed 二(三)): a 玩笑打闹 / 一般纠纷 settled directly by the
school goes to the committee when the same students meet again within the county's window.

:mod:`anxin.cases.rules` refuses a *new* direct settlement when an earlier case or report names
the same students; this module handles the other direction: when a student is added to a new
case, every earlier case of the same students that was settled directly within the window (the
window of the parameters the earlier case was opened under) is flagged on its timeline
(``settlement.repeat``), audited, and its school's safety leaders and its 承办人 are told to
open the committee path (``escalate`` with the ground 同一学生再次发生). Idempotent: one flag per
earlier case and new case. Connected to ``case_party_added`` in ``CasesConfig.ready``.
"""

from __future__ import annotations

import logging

from django.db import transaction

log = logging.getLogger(__name__)

SIDES = ("victim", "alleged_bully")


def settled_directly_and_pending(case) -> bool:
    """The case's current determination is the school's direct settlement, not yet escalated."""
    from anxin.cases import rules

    det = rules.current_determination(case)
    return (
        det is not None
        and det.source == "direct"
        and not case.events.filter(kind="settlement.escalated", seq__gt=_settlement_seq(case)).exists()
    )


def _settlement_seq(case) -> int:
    ev = case.events.filter(kind="settlement").order_by("-seq").first()
    return ev.seq if ev else 0


def earlier_settlements(case) -> list:
    """Cases settled directly (and not escalated since) whose students meet again in ``case``
    within the window those cases were opened under."""
    from anxin.cases import rules
    from anxin.cases.law import settings as law_settings
    from anxin.cases.models import BullyingCase, CaseParty

    students = set(
        CaseParty.objects.filter(case=case, student__isnull=False, role__in=SIDES).values_list(
            "student_id", flat=True
        )
    )
    if not students:
        return []
    candidates = (
        BullyingCase.objects.filter(
            pk__in=CaseParty.objects.filter(student_id__in=students, role__in=SIDES).values("case_id"),
            determinations__source="direct",
        )
        .exclude(pk=case.pk)
        .distinct()
    )
    found = []
    for earlier in candidates:
        if not settled_directly_and_pending(earlier):
            continue
        days = law_settings.get("JOKE_REPEAT_DAYS", case=earlier)
        if f"案件{case.number}" in rules.repeat_meetings(earlier, days):
            found.append((earlier, days))
    return found


def flag_repeat(case) -> list:
    """Flag every earlier direct settlement the students of ``case`` meet again (see module)."""
    from anxin.cases import services, timeline
    from anxin.cases.models import BullyingCase
    from anxin.core import audit
    from anxin.core.notify import notify
    from anxin.core.roles import Role

    flagged = []
    for earlier, days in earlier_settlements(case):
        with transaction.atomic():
            locked = BullyingCase.objects.select_for_update().get(pk=earlier.pk)
            if locked.events.filter(kind="settlement.repeat", data__case_id=case.pk).exists():
                continue
            summary = f"同一学生{days}日内再次涉及案件{case.number}：须提请学生欺凌治理委员会认定（LAW 3）"
            timeline.append(locked, "settlement.repeat", summary, data={"case_id": case.pk, "days": days})
            locked.save(update_fields=["timeline_seq", "timeline_hash"])
            audit.record("case.settlement_repeat", locked, data={"case_id": case.pk, "days": days})
            recipients = services.school_leaders(locked.school_id, (Role.SAFETY_LEADER,)) + [locked.owner]
            notify(
                recipients,
                kind="cases.settlement_repeat",
                title=f"案件{locked.number}须提请委员会认定",
                body=f"直接处理的玩笑打闹或一般纠纷，同一学生{days}日内再次涉及案件{case.number}。"
                "请在案件页“提请学生欺凌治理委员会认定”，原因选择“同一学生再次发生”。",
                url=services.case_url(locked),
                dedupe_key=f"settlement-repeat:{locked.pk}:{case.pk}",
                school=locked.school,
                county=locked.county,
            )
            flagged.append(locked)
    return flagged


def on_case_party_added(sender, case, student, role, **kwargs):
    if role not in SIDES:
        return
    try:
        flag_repeat(case)
    except Exception:  # noqa: BLE001 — the party is recorded; the flag is retried on the next party
        log.exception("flagging earlier settlements for case %s failed", case.pk)
