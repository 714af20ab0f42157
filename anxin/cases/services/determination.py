"""The school's 学生欺凌治理委员会 (LAW 3, 4) and its determination (LAW 1–5, 8): who sits
on it, the recorded vote, the elements of bullying, a later determination superseding an
earlier one. The effects of a result are in ``_common`` (appeals apply them too)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction

from anxin.cases import rules, workflow
from anxin.cases.law.definitions import (
    ADVANTAGE_BASES,
    BULLYING_RESULTS,
    HARM_TYPES,
    RESULT_RANK,
    RESULTS,
)
from anxin.cases.law.definitions import label as law_label
from anxin.cases.models import (
    CaseParty,
    Committee,
    CommitteeMember,
    Determination,
    DeterminationSource,
    MemberKind,
    PartyRole,
)
from anxin.cases.services._common import Refused, S, _acting, _apply_result, _event, _last_determination_event
from anxin.cases.services.transitions import _run_transition
from anxin.core import clock, policy
from anxin.core.models import keys_of

# --- the committee (LAW 3, 4) ------------------------------------------------------------------


def committee_for(school) -> Committee | None:
    return Committee.objects.filter(school_id=getattr(school, "pk", school)).first()


def _require_committee_right(by, committee_or_school) -> None:
    school_id = getattr(committee_or_school, "school_id", None) or committee_or_school.pk
    probe = Committee(county_id=committee_or_school.county_id, school_id=school_id)
    if by is None or not policy.allows(by, probe, "change"):
        raise PermissionDenied("cases.committee.change")


@transaction.atomic
def constitute_committee(
    *, by, school, established_on: dt.date | None = None, name: str = "学生欺凌治理委员会"
) -> Committee:
    """Set up the school's 学生欺凌治理委员会 (then add its members)."""
    _require_committee_right(by, school)
    if committee_for(school) is not None:
        raise Refused("本校已组建学生欺凌治理委员会")
    return Committee.objects.create(
        county_id=school.county_id, school=school, name=name, established_on=established_on or clock.today()
    )


@transaction.atomic
def add_member(
    committee: Committee,
    *,
    by,
    kind: str,
    name: str,
    title: str = "",
    user=None,
    is_chair: bool = False,
    joined_on: dt.date | None = None,
) -> CommitteeMember:
    """LAW 4: the chair is the principal; one chair at a time."""
    _require_committee_right(by, committee)
    if kind not in MemberKind.values:
        raise Refused("请选择委员类别")
    if not name.strip():
        raise Refused("请填写委员姓名")
    if is_chair and kind != MemberKind.PRINCIPAL:
        raise Refused("学生欺凌治理委员会主任由校长担任")
    committee = Committee.objects.select_for_update().get(pk=committee.pk)
    if is_chair and committee.members.filter(is_chair=True, left_on__isnull=True).exists():
        raise Refused("委员会已有主任；请先办理原主任退出")
    return CommitteeMember.objects.create(
        county_id=committee.county_id,
        school_id=committee.school_id,
        committee=committee,
        kind=kind,
        name=name.strip(),
        title=title.strip(),
        user=user,
        is_chair=is_chair,
        joined_on=joined_on or clock.today(),
    )


@transaction.atomic
def member_leaves(member: CommitteeMember, *, by, left_on: dt.date | None = None) -> CommitteeMember:
    _require_committee_right(by, member.committee)
    member = CommitteeMember.objects.select_for_update().get(pk=member.pk)
    if member.left_on is not None:
        raise Refused("该委员已退出")
    member.left_on = left_on or clock.today()
    member.save(update_fields=["left_on", "updated_at"])
    return member


# --- determination (LAW 1–5, 8) --------------------------------------------------------------


def record_determination(
    case,
    *,
    by,
    meeting_at: dt.datetime,
    members_present: Sequence[CommitteeMember],
    votes_for: int,
    votes_against: int = 0,
    votes_abstain: int = 0,
    result: str,
    record: str = "",
    meeting_place: str = "",
    between_students: bool = False,
    deliberate: bool = False,
    means: str = "",
    harm_types: Sequence[str] = (),
    advantage_bases: Sequence[str] = (),
    advantage_note: str = "",
    bullies: Sequence[CaseParty] | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Determination:
    """Record the committee's determination (R-CASE-4). Only the constituted committee's
    recorded vote decides (LAW 3, 4); a finding of bullying records its elements (LAW 2);
    both sides' guardians must have taken part (LAW 5); a later determination supersedes the
    earlier one, needs a reason and keeps both (LAW 8)."""
    if result not in {c for c, *_ in RESULTS}:
        raise Refused("请选择认定结果")
    harm_types = [h for h in harm_types if h]
    advantage_bases = [a for a in advantage_bases if a]
    if set(harm_types) - {c for c, _ in HARM_TYPES} or set(advantage_bases) - {c for c, _ in ADVANTAGE_BASES}:
        raise Refused("损害类型或优势依据不在规定范围内")
    if not (record or "").strip():
        raise Refused("请填写会议记录")
    with _acting(case, by, "determine", step="determination", expected_version=expected_version) as c:
        committee = committee_for(c.school_id)
        gaps = rules.committee_gaps(committee, c.school, case=c)
        if gaps:
            raise Refused(["学生欺凌治理委员会未依法组成，不能认定"] + gaps)
        present = list(members_present)
        gaps = rules.meeting_valid(committee, present, votes_for, votes_against, votes_abstain)
        elements = {
            "between_students": between_students,
            "deliberate": deliberate,
            "means": means,
            "harm_types": harm_types,
            "advantage_bases": advantage_bases,
        }
        gaps += rules.elements_recorded(result, elements)
        if gaps:
            raise Refused(gaps)
        previous = rules.current_determination(c)
        # a direct settlement (LAW 3 exception) the committee now decides on is not a re-determination
        direct = previous is not None and previous.source == DeterminationSource.DIRECT
        if previous is not None and not direct:
            if c.state == S.DETERMINING:
                raise Refused("本案已有认定")
            if len(reason.strip()) < 10:
                down = RESULT_RANK[result] < RESULT_RANK[previous.result]
                raise Refused(
                    "降低认定等级须写明理由（不少于10个字），原认定将一并保留"
                    if down
                    else "重新认定须写明理由（不少于10个字），原认定将一并保留"
                )
        parties = list(c.parties.all())
        bully_list = (
            list(bullies)
            if bullies is not None
            else [p for p in parties if p.role == PartyRole.ALLEGED_BULLY]
        )
        if result in BULLYING_RESULTS:
            if not any(p.role == PartyRole.VICTIM for p in parties):
                raise Refused("认定为欺凌须登记被欺凌学生")
            if not bully_list:
                raise Refused("认定为欺凌须确定实施欺凌的学生")
            if any(p.case_id != c.pk or p.role != PartyRole.ALLEGED_BULLY for p in bully_list):
                raise Refused("实施欺凌的学生须为本案登记的被反映实施欺凌学生")
        det = Determination.objects.create(
            county_id=c.county_id,
            school_id=c.school_id,
            case=c,
            seq=(previous.seq + 1 if previous else 1),
            source=DeterminationSource.COMMITTEE,
            committee=committee,
            meeting_at=meeting_at,
            meeting_place=meeting_place,
            record=record,
            votes_for=votes_for,
            votes_against=votes_against,
            votes_abstain=votes_abstain,
            result=result,
            advantage_note=advantage_note,
            reason=reason.strip(),
            supersedes=previous,
            recorded_by=by,
            **elements,
        )
        det.members_present.set(present, through_defaults=keys_of(det))
        if result in BULLYING_RESULTS:
            det.bullies.set(bully_list, through_defaults=keys_of(det))
        if c.state == S.DETERMINING:
            _run_transition(c, workflow.TRANSITIONS["determine"], by, {})
        corrects = _last_determination_event(c) if previous else None
        _event(
            c,
            "determination",
            f"学生欺凌治理委员会认定：{law_label(RESULTS, result)}（赞成{votes_for}、反对{votes_against}、弃权{votes_abstain}）"
            + (f"；变更理由：{reason.strip()[:100]}" if previous else ""),
            by,
            data={"id": det.pk, "result": result, "previous": getattr(previous, "result", None)},
            corrects=corrects,
        )
        _apply_result(c, det, by)
        return det
