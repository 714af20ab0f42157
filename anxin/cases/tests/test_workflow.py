"""The state machine: every transition refused from the wrong state and with each guard
unmet, with a Chinese message naming what is missing (GUIDE principle 2); concurrency."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from anxin.cases import rules, scenarios, services, workflow
from anxin.cases.models import BullyingCase, CaseState, MeasureState, PartyRole
from anxin.core import clock

S = CaseState


def _refused(fn, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as exc:
        fn(*args, **kwargs)
    return " ".join(exc.value.messages)


def test_transitions_table_names_guards_effects_and_rules():
    for t in workflow.TRANSITIONS.values():
        assert t.sources and t.target in S.values and t.guards and t.rule
        assert t.label  # shown on the page and in refusals
    assert {t.target for t in workflow.TRANSITIONS.values()} >= {
        S.STOPPED,
        S.NOTIFYING,
        S.INVESTIGATING,
        S.DETERMINING,
        S.HANDLING,
        S.FOLLOW_UP,
        S.CLOSED,
    }


@pytest.mark.parametrize(
    "name", [n for n, t in workflow.TRANSITIONS.items() if n != "determine" and S.CLOSED not in t.sources]
)
def test_every_transition_is_refused_from_a_state_it_does_not_leave(new_case, mm, leader, name):
    case = new_case()
    services.close_unfounded(case, by=leader, reason="经核查当日无此事发生，属误报。")
    msg = _refused(
        services.advance,
        case,
        name,
        by=leader if name in ("close_unfounded", "settle") else mm,
        reason="经核查当日无此事发生，属误报。",
    )
    assert f"本案当前处于「{S.CLOSED.label}」阶段，不能{workflow.TRANSITIONS[name].label}" in msg


def test_begin_refused_without_parties(cw, mm):
    case = services.open_case(
        by=mm,
        school=cw.school_a1,
        source="anonymous_report",
        discovered_at=clock.now(),
        summary="匿名举报：有人在厕所被欺负",
    )
    assert "尚未登记当事人" in _refused(services.advance, case, "begin", by=mm)
    services.add_party(case, by=mm, role=PartyRole.VICTIM, outsider_name="不知名学生", outsider_note="待核实")
    services.advance(case, "begin", by=mm)
    assert case.state == S.STOPPED


def test_to_notifying_refused_without_immediate_measures(new_case, drive, mm):
    case = new_case()
    drive(case, S.STOPPED)
    assert "尚未记录制止与初步处置措施" in _refused(services.advance, case, "to_notifying", by=mm)


def test_start_investigation_refused_until_both_sides_told(new_case, drive, mm):
    case = new_case()
    drive(case, S.NOTIFYING)
    msg = _refused(services.advance, case, "start_investigation", by=mm)
    assert "尚未通知被欺凌学生张小明的监护人" in msg and "尚未通知实施欺凌学生李小红的监护人" in msg


def test_finish_investigation_refused_without_five_facts_and_statements(new_case, drive, mm):
    case = new_case()
    drive(case, S.INVESTIGATING)
    msg = _refused(services.advance, case, "finish_investigation", by=mm)
    for fact in ("时间", "地点", "起因", "过程", "涉及人员"):
        assert f"调查尚未查明{fact}" in msg
    assert "尚无询问笔录" in msg


def test_determination_refused_outside_the_determining_state(new_case, drive, mm, cw):
    case = new_case()
    drive(case, S.INVESTIGATING)
    present = list(services.committee_for(cw.school_a1).members.all())
    msg = _refused(
        services.record_determination,
        case,
        by=mm,
        meeting_at=clock.now(),
        members_present=present,
        votes_for=len(present),
        result="joke",
        record="记录",
    )
    assert "不能记录委员会认定" in msg


def test_finish_handling_refused_for_not_bullying_and_close_not_bullying_refused_for_bullying(
    new_case, drive, mm
):
    joke = new_case()
    drive(joke, S.HANDLING, result="joke")
    assert "无需回访" in _refused(services.advance, joke, "finish_handling", by=mm)
    minor = new_case()
    drive(minor, S.HANDLING, result="minor")
    assert "须完成回访后方可结案" in _refused(services.advance, minor, "close_not_bullying", by=mm)


def test_finish_handling_refused_without_determination_notice(new_case, drive, mm):
    case = new_case()
    drive(case, S.HANDLING, result="minor")
    msg = _refused(services.advance, case, "finish_handling", by=mm)
    assert "尚未将认定结果告知被欺凌学生张小明的监护人" in msg and "尚未采取" in msg


def test_close_refused_with_the_whole_checklist(new_case, drive, mm):
    case = new_case()
    drive(case, S.FOLLOW_UP, result="minor")
    msg = _refused(services.advance, case, "close", by=mm)
    assert "尚未执行完毕" in msg and "回访未完成" in msg and "尚未接受心理辅导" in msg
    items = {it.label: it.ok for it in rules.closing_checklist(case)}
    assert items["学生欺凌治理委员会已作出认定"] and not items["回访已完成"]


def test_close_refused_while_an_appeal_is_pending(new_case, drive, mm, leader):
    case = new_case()
    drive(case, S.FOLLOW_UP, result="minor")
    bully = case.parties.get(role=PartyRole.ALLEGED_BULLY)
    services.file_appeal(
        case,
        by=mm,
        kind="school_appeal",
        party=bully,
        appellant="家长",
        filed_on=clock.today(),
        grounds="不服",
        measure=bully.measures.get(item_code="apology"),
    )
    for m in case.measures.filter(state=MeasureState.EFFECTIVE):
        services.complete_measure(m, by=mm)
    scenarios.support_all(case, mm)
    for f in case.follow_ups.all():
        services.record_follow_up(f, by=mm, outcome="stable")
    assert "尚未作出决定" in _refused(services.advance, case, "close", by=mm)


def test_a_changed_determination_reopens_a_closed_case(new_case, drive, mm, cw):
    case = new_case()
    drive(case, S.CLOSED, result="joke")
    victim = case.parties.get(role=PartyRole.VICTIM)  # told of the determination while handling
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
    case.refresh_from_db()
    assert case.state == S.HANDLING and case.result == "minor" and case.closed_at is None
    assert case.support_actions.filter(done_at__isnull=True).exists()  # LAW 9 duties planned again


def test_stale_version_is_refused_with_a_clear_message(new_case, mm):
    case = new_case()
    old_version = case.version
    services.advance(case, "begin", by=mm, expected_version=old_version)
    msg = _refused(
        services.record_immediate,
        case,
        by=mm,
        kind="stop",
        taken_at=clock.now(),
        expected_version=old_version,
    )
    assert "刚被其他人更新" in msg


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_users_completing_conflicting_steps_at_once_cannot_both_succeed(world):
    if connection.vendor != "postgresql":
        pytest.skip(
            "row locks (SELECT … FOR UPDATE) need PostgreSQL; SQLite serialises whole-database writes"
        )
    mm, leader = world.user["middle_manager"], world.user["safety_leader"]
    scenarios.constitute(world.school_a1, world.user["principal"])
    case = scenarios.open_simple(
        world.school_a1, mm, victim=world.student_own, bully=world.student_other_class
    )
    scenarios.drive(case, mm, S.STOPPED)
    services.record_immediate(case, by=mm, kind="stop", taken_at=clock.now())
    version = BullyingCase.objects.get(pk=case.pk).version
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def act(who, user, step):
        try:
            barrier.wait(timeout=10)
            if step == "advance":
                services.advance(
                    BullyingCase.objects.get(pk=case.pk), "to_notifying", by=user, expected_version=version
                )
            else:
                services.close_unfounded(
                    BullyingCase.objects.get(pk=case.pk),
                    by=user,
                    reason="经核查当日无此事发生，属误报。",
                    expected_version=version,
                )
            outcomes[who] = "ok"
        except ValidationError as exc:
            outcomes[who] = " ".join(exc.messages)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=("a", mm, "advance")),
        threading.Thread(target=act, args=("b", leader, "close")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(v == "ok" for v in outcomes.values()) == [False, True]
    loser = next(v for v in outcomes.values() if v != "ok")
    assert "刚被其他人更新" in loser
    final = BullyingCase.objects.get(pk=case.pk)
    assert final.state in (S.NOTIFYING, S.CLOSED)
    assert final.version == version + 1
