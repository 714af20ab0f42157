"""The cases tables fixed for GUIDE principle 7 (issue 13 item 6) carry their county and school
keys as rows are made: the case-number counter, and a determination's joins to the members
present and to the parties found to have bullied (first determination and a changed one)."""

from __future__ import annotations

from anxin.cases import scenarios, services
from anxin.cases.models import CaseCounter, CaseState, DeterminationBully, DeterminationMember, PartyRole
from anxin.core import clock


def test_the_case_number_counter_carries_the_schools_county(new_case):
    first, second = new_case(), new_case()
    assert first.number.endswith("-0001") and second.number.endswith("-0002")
    counter = CaseCounter.objects.get(school=first.school_id, year=clock.today().year)
    assert (counter.county_id, counter.school_id, counter.last) == (first.county_id, first.school_id, 2)


def test_determination_joins_carry_the_case_keys(new_case, drive, mm, cw):
    case = new_case()
    drive(case, CaseState.HANDLING, result="minor")
    det = case.determinations.get()
    members = DeterminationMember.objects.filter(determination=det)
    bullies = DeterminationBully.objects.filter(determination=det)
    assert members.exists() and bullies.exists()
    keys = {(case.county_id, case.school_id)}
    assert set(members.values_list("county_id", "school_id")) == keys
    assert set(bullies.values_list("county_id", "school_id")) == keys
    assert {p.role for p in det.bullies.all()} == {PartyRole.ALLEGED_BULLY}


def test_a_changed_determination_copies_its_bullies_with_their_keys(new_case, drive, mm, cw):
    case = new_case()
    drive(case, CaseState.CLOSED, result="joke")
    victim = case.parties.get(role=PartyRole.VICTIM)
    review = services.file_appeal(
        case,
        by=mm,
        kind="county_review",
        party=victim,
        appellant="张小明的母亲",
        filed_on=clock.today(),
        grounds="不是玩笑，是欺凌",
    )
    services.decide_appeal(
        review,
        by=cw.user["bureau_safety"],
        outcome="changed",
        outcome_text="复查认定为欺凌",
        new_result="minor",
        elements=scenarios.ELEMENTS,
    )
    changed = case.determinations.order_by("-seq").first()
    assert changed.result == "minor" and changed.appeal_id == review.pk
    rows = DeterminationBully.objects.filter(determination=changed)
    assert rows.exists()
    assert set(rows.values_list("county_id", "school_id")) == {(case.county_id, case.school_id)}
