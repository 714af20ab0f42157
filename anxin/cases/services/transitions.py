"""The main track of a case (``anxin.cases.workflow.TRANSITIONS``): taking a step, its
effects (investigation opened and finished, follow-ups scheduled, closing), and the direct
settlement of 玩笑打闹 / 一般纠纷 (LAW 3 exception) with its escalation to the committee."""

from __future__ import annotations

import datetime as dt

from anxin.cases import rules, workflow
from anxin.cases.law import settings as law_settings
from anxin.cases.law.definitions import (
    RESULTS,
)
from anxin.cases.law.definitions import label as law_label
from anxin.cases.models import (
    BullyingCase,
    Determination,
    DeterminationSource,
    FollowUp,
    Investigation,
    Measure,
    MeasureState,
    PartyRole,
)
from anxin.cases.services._common import Refused, S, _acting, _apply_result, _event, _now, _touch
from anxin.core import clock

# --- transitions -------------------------------------------------------------------------------


def _run_transition(c: BullyingCase, t: workflow.Transition, by, ctx: dict) -> None:
    if c.state not in t.sources:
        raise Refused(f"本案当前处于「{c.get_state_display()}」阶段，不能{t.label}")
    missing = workflow.missing_for(c, t.name, ctx)
    if missing:
        raise Refused(missing, title=f"不能{t.label}：")
    old = c.state
    c.state = t.target
    _touch(c, "state")
    for name in t.effects:
        EFFECTS[name](c, by, ctx)
    _event(
        c,
        "transition",
        f"{S(old).label} → {S(t.target).label}：{t.label}",
        by,
        data={
            "from": old,
            "to": t.target,
            "transition": t.name,
            **({"reason": ctx["reason"]} if ctx.get("reason") else {}),
        },
    )


def advance(case, name: str, *, by, expected_version: int | None = None, **ctx) -> BullyingCase:
    """Take a step of the main track (``workflow.TRANSITIONS``); refused with what is missing."""
    if name not in workflow.TRANSITIONS:
        raise Refused(f"未知的操作：{name}")
    t = workflow.TRANSITIONS[name]
    if name == "determine":
        raise Refused("认定须记录学生欺凌治理委员会会议（会议记录、出席委员、表决）")
    with _acting(case, by, t.action, expected_version=expected_version) as c:
        _run_transition(c, t, by, ctx)
    return case


def close_unfounded(case, *, by, reason: str, expected_version: int | None = None) -> BullyingCase:
    """查无实据结案 (LAW 8): only with a reason; the history keeps the report and the reason."""
    return advance(case, "close_unfounded", by=by, reason=reason, expected_version=expected_version)


def _effect_open_investigation(c: BullyingCase, by, ctx: dict) -> None:
    # LAW 6 (P2017): due INVESTIGATION_DAYS after it starts (calendar or working days)
    from anxin.cases.calendar import add_days

    now = _now()
    days = law_settings.get("INVESTIGATION_DAYS", case=c)
    kind = law_settings.get("INVESTIGATION_DAY_KIND", case=c)
    due_day = add_days(clock.local_date(now), days, kind, c.county_id)
    due = dt.datetime.combine(due_day, dt.time(23, 59), tzinfo=clock.SHANGHAI)
    Investigation.objects.create(
        county_id=c.county_id,
        school_id=c.school_id,
        case=c,
        investigator=c.owner or by,
        started_at=now,
        due_at=due,
    )


def _effect_finish_investigation(c: BullyingCase, by, ctx: dict) -> None:
    Investigation.objects.filter(case=c).update(finished_at=_now())


def _effect_schedule_follow_ups(c: BullyingCase, by, ctx: dict) -> None:
    # R-CASE-9: check-ins with the bullied student and the bully after 1, 4 and 12 weeks
    today = clock.today()
    det = rules.current_determination(c)
    targets = [p for p in c.parties.all() if p.role == PartyRole.VICTIM and p.student_id]
    targets += [p for p in rules.bully_parties(c, det) if p.student_id]
    for week in law_settings.get("FOLLOW_UP_WEEKS"):
        for p in targets:
            if not FollowUp.objects.filter(case=c, party=p, week=week).exists():
                FollowUp.objects.create(
                    county_id=c.county_id,
                    school_id=c.school_id,
                    case=c,
                    party=p,
                    week=week,
                    due_on=today + dt.timedelta(weeks=week),
                    owner=c.owner,
                )


def _effect_settle_directly(c: BullyingCase, by, ctx: dict) -> None:
    """LAW 3 exception (seed 二(三)): the school's own finding of 玩笑打闹/一般纠纷, recorded with
    its grounds as a determination of the school (not the committee), and the 批评教育 given to
    the students involved — no 教育惩戒 measure."""
    result, grounds = ctx["result"], ctx["grounds"].strip()
    det = Determination.objects.create(
        county_id=c.county_id,
        school_id=c.school_id,
        case=c,
        seq=1,
        source=DeterminationSource.DIRECT,
        result=result,
        record=grounds,
        reason=grounds,
        recorded_by=by,
    )
    _event(
        c,
        "settlement",
        f"学校初步判断为{law_label(RESULTS, result)}，直接予以批评教育；依据：{grounds[:100]}",
        by,
        data={"id": det.pk, "result": result},
    )
    _apply_result(c, det, by)
    today = clock.today()
    for p in c.parties.filter(role=PartyRole.ALLEGED_BULLY, student__isnull=False):
        m = Measure.objects.create(
            county_id=c.county_id,
            school_id=c.school_id,
            case=c,
            party=p,
            item_code="criticism",
            level="education",
            article="SEED 二(三)",
            decider="teacher",
            decided_by=by,
            decided_at=_now(),
            description="直接予以批评教育",
            owner=by,
            done_on=today,
            state=MeasureState.DONE,
        )
        _event(
            c,
            "measure",
            f"处置措施：批评教育（学生#{p.pk}；SEED 二(三)）",
            by,
            data={"id": m.pk, "item": "criticism", "party_id": p.pk, "state": m.state},
        )


def _effect_reopen_for_committee(c: BullyingCase, by, ctx: dict) -> None:
    """The committee path after a direct settlement: the investigation (re)opens, then 认定."""
    c.closed_at = None
    c.close_kind = ""
    c.result, c.is_bullying = "", None  # the committee decides now
    _touch(c, "closed_at", "close_kind", "result", "is_bullying")
    _event(
        c,
        "settlement.escalated",
        f"提请学生欺凌治理委员会认定：{rules.ESCALATION_GROUNDS[ctx['ground']]}",
        by,
        data={"ground": ctx["ground"]},
    )
    inv = Investigation.objects.filter(case=c).first()
    if inv is None:
        _effect_open_investigation(c, by, ctx)
    elif inv.finished_at is not None:
        Investigation.objects.filter(pk=inv.pk).update(finished_at=None)


def settle_directly(
    case, *, by, result: str, grounds: str, expected_version: int | None = None
) -> BullyingCase:
    """LAW 3 exception: the safety leader settles an incident the school judges to be
    玩笑打闹 or 一般纠纷 directly with 批评教育 (workflow ``settle``)."""
    with _acting(case, by, "settle", step="settle", expected_version=expected_version) as c:
        _run_transition(c, workflow.TRANSITIONS["settle"], by, {"result": result, "grounds": grounds or ""})
    return case


def escalate_settlement(
    case, *, by, ground: str, reason: str, expected_version: int | None = None
) -> BullyingCase:
    """A family disagrees, someone asks for a determination, or the same students meet again:
    the directly settled case goes to the committee (workflow ``escalate``)."""
    with _acting(case, by, "change", step="escalate", expected_version=expected_version) as c:
        _run_transition(c, workflow.TRANSITIONS["escalate"], by, {"ground": ground, "reason": reason or ""})
    return case


def _effect_closed(c: BullyingCase, by, ctx: dict) -> None:
    c.closed_at = _now()
    c.close_kind = "unfounded" if ctx.get("reason") else "handled"
    c.close_reason = (ctx.get("reason") or "").strip()
    _touch(c, "closed_at", "close_kind", "close_reason")


EFFECTS = {
    "open_investigation": _effect_open_investigation,
    "finish_investigation": _effect_finish_investigation,
    "apply_determination": lambda c, by, ctx: None,  # record_determination applies it itself
    "schedule_follow_ups": _effect_schedule_follow_ups,
    "closed": _effect_closed,
    "settle_directly": _effect_settle_directly,
    "reopen_for_committee": _effect_reopen_for_committee,
}
