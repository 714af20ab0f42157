"""The case workflow as an explicit state machine (GUIDE principle 2).

``TRANSITIONS`` names, for every step of the main track (登记 → 制止与初步处置 → 家校互通 →
调查 → 认定 → 处置 → 回访 → 结案), the states it leaves, the state it enters, the right it
needs, its guards (``anxin.cases.rules``: each returns what is missing, in Chinese) and its
effects (run by ``anxin.cases.services``). ``ACTIONS`` says in which states each recording
action is open. The bureau-report track (LAW 7) and the appeal branches (LAW 14) run beside
the main track: they have their own records and guards in ``services``, and
``rules.reports_recorded`` gates the main track while a required report is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from anxin.cases import rules
from anxin.cases.models import CaseState as S

Guard = Callable[[object, dict], list[str]]


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    action: str  # the right needed: cases.bullyingcase.<action>
    guards: tuple[Guard, ...]
    effects: tuple[str, ...]  # names of effects run by services (see services.EFFECTS)
    rule: str  # what the step enforces


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "begin",
            "完成登记，进入制止与初步处置",
            (S.REGISTERED,),
            S.STOPPED,
            "change",
            (rules.parties_recorded,),
            (),
            "R-CASE-1",
        ),
        Transition(
            "to_notifying",
            "制止与初步处置完成，进入家校互通",
            (S.STOPPED,),
            S.NOTIFYING,
            "change",
            (rules.immediate_measures_recorded,),
            (),
            "R-CASE-2; seed 二(四) 主动予以制止",
        ),
        Transition(
            "start_investigation",
            "家校互通完成，开始调查",
            (S.NOTIFYING,),
            S.INVESTIGATING,
            "change",
            (rules.both_sides_notified, rules.reports_recorded),
            ("open_investigation",),
            "R-CASE-2; LAW 5; LAW 7",
        ),
        Transition(
            "finish_investigation",
            "调查完成，提请委员会认定",
            (S.INVESTIGATING,),
            S.DETERMINING,
            "change",
            (rules.five_facts_recorded, rules.behaviour_type_recorded, rules.reports_recorded),
            ("finish_investigation",),
            "R-CASE-3; LAW 1; LAW 6; LAW 7",
        ),
        # entered only by services.record_determination, which checks LAW 2–5 on the meeting itself
        Transition(
            "determine",
            "学生欺凌治理委员会认定",
            (S.DETERMINING,),
            S.HANDLING,
            "determine",
            (rules.behaviour_type_recorded, rules.guardians_took_part),
            ("apply_determination",),
            "LAW 1–5",
        ),
        Transition(
            "finish_handling",
            "处置完成，进入回访",
            (S.HANDLING,),
            S.FOLLOW_UP,
            "change",
            (
                rules.is_bullying,
                rules.determination_notified,
                rules.no_pending_measures,
                rules.outcomes_for_bullies,
                rules.reports_recorded,
            ),
            ("schedule_follow_ups",),
            "LAW 7; LAW 10; LAW 13; R-CASE-9",
        ),
        Transition(
            "close",
            "结案",
            (S.FOLLOW_UP,),
            S.CLOSED,
            "close",
            (rules.closing_missing,),
            ("closed",),
            "LAW 7; LAW 9; LAW 10; R-CASE-9",
        ),
        Transition(
            "close_not_bullying",
            "批评教育后结案（不构成欺凌）",
            (S.HANDLING,),
            S.CLOSED,
            "close",
            (rules.not_bullying, rules.closing_missing),
            ("closed",),
            "seed 二(三) 直接予以批评教育",
        ),
        # LAW 3 exception (seed 二(三)): the safety leader settles 玩笑打闹/一般纠纷 directly with
        # 批评教育, recording the grounds; both families were told of the incident (and are told
        # of the settlement before closing); run by services.settle_directly
        Transition(
            "settle",
            "学校直接处理：玩笑打闹、一般纠纷，直接予以批评教育",
            (S.STOPPED, S.NOTIFYING, S.INVESTIGATING, S.DETERMINING),
            S.HANDLING,
            "settle",
            (rules.settle_allowed, rules.both_sides_notified, rules.no_repeat_within_window),
            ("settle_directly",),
            "LAW 3 exception; seed 二(三) 可直接予以批评教育解决",
        ),
        # ... and the committee path opens instead when a family disagrees, anyone asks for a
        # determination, or the same students meet again: back to 调查, then 认定
        Transition(
            "escalate",
            "提请学生欺凌治理委员会认定（直接处理有异议、申请认定或再次发生）",
            (S.HANDLING, S.FOLLOW_UP, S.CLOSED),
            S.INVESTIGATING,
            "change",
            (rules.settled_directly, rules.escalation_ground),
            ("reopen_for_committee",),
            "LAW 3 exception",
        ),
        Transition(
            "close_unfounded",
            "查无实据结案",
            (S.REGISTERED, S.STOPPED, S.NOTIFYING, S.INVESTIGATING),
            S.CLOSED,
            "close_unfounded",
            (rules.reason_given, rules.reports_recorded),
            ("closed",),
            "LAW 8 (不得瞒报)",
        ),
    )
}

# Internal transition: a changed determination (a re-determination or an appeal outcome)
# takes a case in 回访 or 结案 back to 处置 (LAW 8, 14). Not offered as a button.
REOPEN_SOURCES = (S.FOLLOW_UP, S.CLOSED)

_OPEN = (S.REGISTERED, S.STOPPED, S.NOTIFYING, S.INVESTIGATING, S.DETERMINING, S.HANDLING, S.FOLLOW_UP)
_BEFORE_DETERMINATION = (S.REGISTERED, S.STOPPED, S.NOTIFYING, S.INVESTIGATING, S.DETERMINING)

# Recording actions: in which states each is open.
ACTIONS: dict[str, tuple[str, ...]] = {
    "add_party": (S.REGISTERED, S.STOPPED, S.NOTIFYING, S.INVESTIGATING),
    "update_facts": (S.REGISTERED, S.STOPPED, S.NOTIFYING, S.INVESTIGATING),
    "correct_facts": _OPEN,
    "flag_report": _OPEN,
    "immediate": (S.REGISTERED, S.STOPPED, S.NOTIFYING, S.INVESTIGATING),
    "notice": _OPEN,
    "statement": (S.STOPPED, S.NOTIFYING, S.INVESTIGATING, S.DETERMINING),
    "investigation": (S.INVESTIGATING,),
    "evidence": _OPEN,
    "determination": (S.DETERMINING, S.HANDLING, S.FOLLOW_UP),
    "measure": (S.HANDLING,),
    "measure_progress": (S.HANDLING, S.FOLLOW_UP),
    "support": (S.HANDLING, S.FOLLOW_UP),
    "special_school": (S.HANDLING, S.FOLLOW_UP),
    "referral": (S.HANDLING, S.FOLLOW_UP, S.DETERMINING, S.INVESTIGATING),
    "follow_up": (S.FOLLOW_UP,),
    "police_report": _OPEN + (S.CLOSED,),
    "bureau_report": _OPEN + (S.CLOSED,),
    "appeal": (S.HANDLING, S.FOLLOW_UP, S.CLOSED),
    "settle": (S.STOPPED, S.NOTIFYING, S.INVESTIGATING, S.DETERMINING),
    "escalate": (S.HANDLING, S.FOLLOW_UP, S.CLOSED),
    "note": _OPEN + (S.CLOSED,),
    "reassign": _OPEN,
}

# Duties shown on the case page per state: what to do here, and who does it.
DUTIES: dict[str, tuple[str, str]] = {
    S.REGISTERED: ("登记事件基本情况和当事人；首问负责人跟进", "承办人"),
    S.STOPPED: ("主动予以制止，记录初步处置措施（隔离、救治、报警、证据保全）", "承办人"),
    S.NOTIFYING: ("学校和家长相互通知：通知双方监护人并记录通知人、方式、时间", "承办人、班主任"),
    S.INVESTIGATING: ("调查时间、地点、起因、过程、涉及人员，制作询问笔录", "调查负责人"),
    S.DETERMINING: ("提请学生欺凌治理委员会认定；双方监护人参与", "委员会主任（校长）"),
    S.HANDLING: ("按认定结果分级处置；告知家长；心理辅导与家庭教育指导", "承办人、心理教师"),
    S.FOLLOW_UP: ("按期回访被欺凌学生和实施欺凌学生，完成后结案", "承办人、班主任"),
    S.CLOSED: ("已结案；申诉、复查仍可按期提出", "—"),
}


# Guards that say whether a transition applies to this kind of case at all (a page does not
# offer "close as not bullying" for a bullying case); refused with their message if tried.
PRECONDITIONS = (rules.is_bullying, rules.not_bullying)


# Transitions taken through a form of their own (a meeting record, the grounds), not a button.
FORM_ONLY = frozenset({"determine", "settle", "escalate"})


def transitions_from(state: str, case=None) -> list[Transition]:
    out = [t for t in TRANSITIONS.values() if state in t.sources and t.name not in FORM_ONLY]
    if case is not None:
        out = [t for t in out if not any(g in PRECONDITIONS and g(case, {}) for g in t.guards)]
    return out


def missing_for(case, name: str, ctx: dict | None = None) -> list[str]:
    """What stands in the way of transition ``name`` now (for the page: shown before trying)."""
    t = TRANSITIONS[name]
    ctx = ctx or {}
    missing: list[str] = []
    for guard in t.guards:
        missing.extend(guard(case, ctx))
    return missing
