"""One test per rule of LAW.md 1–17 that the case workflow enforces, named after the rule."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.deletion import ProtectedError
from django.urls import reverse

from anxin.cases import rules, scenarios, services, tasks
from anxin.cases.law import CATALOGUE
from anxin.cases.models import (
    ApplicationStatus,
    BullyingCase,
    CaseState,
    Determination,
    Holiday,
    MeasureState,
    MemberKind,
    NoticeMethod,
    NoticePurpose,
    PartyRole,
    Source,
    SupportKind,
)
from anxin.core import clock, crypto
from anxin.core.models import Notification
from anxin.core.roles import Role
from anxin.core.testing import make_school, make_student, make_user

S = CaseState


def _refused(fn, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as exc:
        fn(*args, **kwargs)
    return " ".join(exc.value.messages)


def _party(case, role):
    return case.parties.get(role=role)


def _present(school):
    return list(services.committee_for(school).members.filter(left_on__isnull=True))


# --- rule 1 ------------------------------------------------------------------------------------


def test_rule_01_case_records_a_behaviour_type_before_determination(new_case, drive, mm):
    case = new_case(behaviour_types=[])
    drive(case, S.INVESTIGATING)
    services.update_investigation(
        case,
        by=mm,
        fact_time="10时",
        fact_place="走廊",
        fact_cause="纠纷",
        fact_process="推搡",
        fact_people="3名学生",
    )
    services.record_statement(case, by=mm, speaker_kind="witness", content="看见了", taken_at=clock.now())
    msg = _refused(services.advance, case, "finish_investigation", by=mm)
    assert "尚未记录行为类型" in msg
    services.update_facts(case, by=mm, behaviour_types=["verbal"])
    services.advance(case, "finish_investigation", by=mm)
    assert case.state == S.DETERMINING


# --- rule 2 ------------------------------------------------------------------------------------


def test_rule_02_bullying_finding_records_all_five_elements(new_case, drive, mm, cw):
    case = new_case()
    drive(case, S.DETERMINING)
    present = _present(cw.school_a1)
    kwargs = dict(meeting_at=clock.now(), members_present=present, votes_for=len(present), record="会议记录")
    msg = _refused(services.record_determination, case, by=mm, result="minor", **kwargs)
    for element in ("学生之间", "蓄意或者恶意", "手段", "损害类型", "优势依据"):
        assert element in msg
    det = services.record_determination(case, by=mm, result="minor", **kwargs, **scenarios.ELEMENTS)
    assert (
        det.between_students and det.harm_types == ["bodily", "mental"] and det.advantage_bases == ["numbers"]
    )


def test_rule_02_not_bullying_needs_no_elements(new_case, drive, mm, cw):
    case = new_case()
    drive(case, S.DETERMINING)
    present = _present(cw.school_a1)
    services.record_determination(
        case,
        by=mm,
        result="dispute",
        meeting_at=clock.now(),
        members_present=present,
        votes_for=len(present),
        record="一般纠纷",
    )
    assert case.result == "dispute" and case.is_bullying is False


# --- rule 3 ------------------------------------------------------------------------------------


def test_rule_03_only_the_committee_decision_finds_bullying(new_case, drive, mm, cw):
    case = new_case()
    drive(case, S.DETERMINING)
    # one staff member cannot simply move the case on
    assert "委员会" in _refused(services.advance, case, "determine", by=mm)
    present = _present(cw.school_a1)
    chair_absent = [m for m in present if not m.is_chair]
    base = dict(meeting_at=clock.now(), record="记录", result="minor", **scenarios.ELEMENTS)
    assert "主任（校长）未出席" in _refused(
        services.record_determination,
        case,
        by=mm,
        members_present=chair_absent,
        votes_for=len(chair_absent),
        **base,
    )
    assert "未记录出席" in _refused(
        services.record_determination, case, by=mm, members_present=[], votes_for=0, **base
    )
    assert "赞成票未超过" in _refused(
        services.record_determination,
        case,
        by=mm,
        members_present=present,
        votes_for=1,
        votes_against=len(present) - 1,
        **base,
    )
    # a class teacher has no right to record determinations at all
    with pytest.raises(PermissionDenied):
        services.record_determination(
            case, by=cw.user["class_teacher"], members_present=present, votes_for=len(present), **base
        )
    assert not Determination.objects.filter(case=case).exists()
    services.record_determination(case, by=mm, members_present=present, votes_for=len(present), **base)
    assert case.state == S.HANDLING


# --- rule 4 ------------------------------------------------------------------------------------


def test_rule_04_committee_acts_only_when_constituted(cw, mm):
    principal = cw.user["principal"]
    committee = services.committee_for(cw.school_a1)
    parent = committee.members.get(kind=MemberKind.PARENT)
    services.member_leaves(parent, by=principal)
    assert rules.committee_gaps(committee) == ["学生欺凌治理委员会缺少家长代表"]
    case = scenarios.open_simple(cw.school_a1, mm, victim=cw.student_own, bully=cw.student_other_class)
    scenarios.drive(case, mm, S.DETERMINING)
    present = list(committee.members.filter(left_on__isnull=True))
    msg = _refused(
        services.record_determination,
        case,
        by=mm,
        meeting_at=clock.now(),
        members_present=present,
        votes_for=len(present),
        result="dispute",
        record="记录",
    )
    assert "未依法组成" in msg and "家长代表" in msg
    # the chair must be the principal
    with pytest.raises(ValidationError, match="校长担任"):
        services.add_member(committee, by=principal, kind=MemberKind.STAFF, name="某老师", is_chair=True)
    services.add_member(committee, by=principal, kind=MemberKind.PARENT, name="新家长代表")
    assert rules.committee_gaps(committee) == []


def test_rule_04_school_with_senior_grades_needs_a_student_representative(cw, settings):
    senior, _c1, _c2 = make_school(cw.county_a, "贺兰县第一高级中学", "2164012209", type_="senior")
    principal = make_user("senior_principal", cw.county_a, Role.PRINCIPAL, senior)
    committee = services.constitute_committee(by=principal, school=senior)
    for kind, is_chair in [
        (MemberKind.PRINCIPAL, True),
        (MemberKind.STAFF, False),
        (MemberKind.PARENT, False),
        (MemberKind.OUTSIDE, False),
    ]:
        services.add_member(committee, by=principal, kind=kind, name="委员", is_chair=is_chair)
    assert rules.committee_gaps(committee) == ["设有高中年级的学校，学生欺凌治理委员会须有学生代表"]
    settings.ANXIN_CASES = {"COMMITTEE_STUDENT_REP_WITH_SENIOR": False}
    assert rules.committee_gaps(committee) == []
    # a school without a committee cannot determine at all
    assert rules.committee_gaps(services.committee_for(cw.school_a2)) == ["学校尚未组建学生欺凌治理委员会"]


def test_rule_04_only_school_leaders_constitute_the_committee(cw):
    with pytest.raises(PermissionDenied):
        services.constitute_committee(by=cw.user["middle_manager"], school=cw.school_a2)
    with pytest.raises(PermissionDenied):
        services.add_member(
            services.committee_for(cw.school_a1),
            by=cw.user_b["safety_leader"],
            kind=MemberKind.STAFF,
            name="外县",
        )


# --- rule 5 ------------------------------------------------------------------------------------


def test_rule_05_determination_needs_both_guardians_notified_and_taking_part(new_case, mm, cw):
    case = new_case()
    services.advance(case, "begin", by=mm)
    services.record_immediate(case, by=mm, kind="stop", taken_at=clock.now())
    services.advance(case, "to_notifying", by=mm)
    victim, bully = _party(case, PartyRole.VICTIM), _party(case, PartyRole.ALLEGED_BULLY)
    services.notify_guardian(
        case,
        by=mm,
        party=victim,
        purpose=NoticePurpose.INITIAL,
        method=NoticeMethod.PHONE,
        notified_at=clock.now(),
        participated=True,
        participation="到校面谈",
    )
    # 家校互通: the bully's guardians are not told yet
    assert "实施欺凌学生李小红的监护人" in _refused(services.advance, case, "start_investigation", by=mm)
    notice = services.notify_guardian(
        case,
        by=mm,
        party=bully,
        purpose=NoticePurpose.INITIAL,
        method=NoticeMethod.PHONE,
        notified_at=clock.now(),
    )
    services.advance(case, "start_investigation", by=mm)
    services.update_investigation(
        case,
        by=mm,
        fact_time="10时",
        fact_place="走廊",
        fact_cause="纠纷",
        fact_process="推搡",
        fact_people="2名学生",
    )
    services.record_statement(
        case, by=mm, speaker_kind="party", party=victim, content="他推了我", taken_at=clock.now()
    )
    services.advance(case, "finish_investigation", by=mm)
    present = _present(cw.school_a1)
    kwargs = dict(
        meeting_at=clock.now(),
        members_present=present,
        votes_for=len(present),
        result="minor",
        record="记录",
        **scenarios.ELEMENTS,
    )
    msg = _refused(services.record_determination, case, by=mm, **kwargs)
    assert "实施欺凌学生李小红的监护人尚未参与处理" in msg
    services.record_participation(notice, by=mm, participation="出席认定会议")
    services.record_determination(case, by=mm, **kwargs)
    assert case.state == S.HANDLING


# --- rule 6 ------------------------------------------------------------------------------------


def test_rule_06_investigation_due_in_ten_days_and_overdue_alerts_leader_and_bureau(new_case, drive, cw):
    start = dt.datetime(2026, 11, 2, 9, 0, tzinfo=clock.SHANGHAI)  # a Monday
    with time_machine.travel(start, tick=False):
        case = new_case()
        drive(case, S.INVESTIGATING)
        inv = case.investigation
        assert clock.local_date(inv.due_at) == dt.date(2026, 11, 12)  # 10 calendar days
    with time_machine.travel(start + dt.timedelta(days=11), tick=False):
        assert tasks.sweep() > 0
        leader_notes = Notification.objects.filter(recipient=cw.user["safety_leader"], kind="duty_overdue")
        bureau_notes = Notification.objects.filter(recipient=cw.user["bureau_safety"], kind="duty_escalated")
        assert leader_notes.filter(title__contains="调查已逾期").exists()
        assert bureau_notes.filter(title__contains="调查").exists()
        assert tasks.sweep() == 0  # idempotent: nothing is sent twice


def test_rule_06_investigation_days_are_a_setting_and_may_be_working_days(new_case, drive, settings):
    settings.ANXIN_CASES = {"INVESTIGATION_DAYS": 5, "INVESTIGATION_DAY_KIND": "working"}
    with time_machine.travel(dt.datetime(2026, 11, 6, 9, 0, tzinfo=clock.SHANGHAI), tick=False):  # a Friday
        case = new_case()
        drive(case, S.INVESTIGATING)
        assert clock.local_date(case.investigation.due_at) == dt.date(2026, 11, 13)  # Mon–Fri after


# --- rule 7 ------------------------------------------------------------------------------------


def test_rule_07_public_opinion_case_cannot_advance_until_police_and_bureau_reports(
    new_case, drive, mm, leader, cw
):
    case = new_case(source=Source.PUBLIC_OPINION)
    assert case.report_required and case.report_due_at == case.discovered_at + dt.timedelta(hours=2)
    drive(case, S.NOTIFYING)
    scenarios.notify_sides(case, mm)
    msg = _refused(services.advance, case, "start_investigation", by=mm)
    assert "尚未记录向公安机关报告" in msg and "尚未向县教体局报告" in msg
    services.record_police_report(case, by=mm, unit="习岗派出所", reported_at=clock.now())
    msg = _refused(services.advance, case, "start_investigation", by=mm)
    assert "公安机关" not in msg and "县教体局" in msg
    report = services.draft_report(case, by=mm, contact="0951-8012345")
    with pytest.raises(PermissionDenied):  # a middle manager drafts; the principal signs off
        services.sign_off(mm, report)
    services.sign_off(cw.user["principal"], report)
    with pytest.raises(PermissionDenied):  # a school leader sends
        services.submit_report(report, by=mm)
    services.submit_report(report, by=leader)
    services.advance(case, "start_investigation", by=mm)
    assert case.state == S.INVESTIGATING and case.report_late is False


def test_rule_07_severe_finding_blocks_handling_until_reported_and_late_report_is_marked(
    new_case, drive, mm, leader
):
    case = new_case()
    drive(case, S.HANDLING, result="severe", report=False)
    assert case.report_required
    scenarios.handle(case, mm)
    msg = _refused(services.advance, case, "finish_handling", by=mm)
    assert "尚未记录向公安机关报告" in msg and "尚未向县教体局报告" in msg
    scenarios.report_both(case, mm, leader)
    case.refresh_from_db()
    # discovered 30 minutes before it was opened, reported well within the 2 hours: not late
    report = case.bureau_reports.get(kind="first")
    assert report.is_late is False and case.police_reported_at is not None
    services.advance(case, "finish_handling", by=mm)
    assert case.state == S.FOLLOW_UP


def test_rule_07_first_report_after_two_hours_is_late_and_marked_in_the_register(
    new_case, mm, leader, cw, as_user
):
    start = clock.now()
    case = new_case(source=Source.PUBLIC_OPINION, discovered_at=start - dt.timedelta(minutes=10))
    with time_machine.travel(start + dt.timedelta(hours=3), tick=False):
        assert case.is_late_now  # still missing and due: 迟报 already
        services.record_immediate(case, by=mm, kind="separate", taken_at=clock.now())
        report = services.draft_report(case, by=mm, contact="0951-8012345")
        scenarios.sign_and_send(report, leader)
        report.refresh_from_db()
        case.refresh_from_db()
        assert report.is_late and case.report_late
        body = as_user(cw.user["bureau_safety"]).get(reverse("cases:case_list")).content.decode()
        assert case.number in body and "迟报" in body


# --- rule 8 ------------------------------------------------------------------------------------


def test_rule_08_downgrade_needs_a_reason_and_history_keeps_both(new_case, drive, mm, cw):
    case = new_case()
    drive(case, S.HANDLING, result="serious")
    present = _present(cw.school_a1)
    kwargs = dict(
        meeting_at=clock.now(),
        members_present=present,
        votes_for=len(present),
        record="复议记录",
        result="minor",
        **scenarios.ELEMENTS,
    )
    assert "降低认定等级须写明理由" in _refused(services.record_determination, case, by=mm, **kwargs)
    det = services.record_determination(
        case, by=mm, reason="补充调查表明未造成明显伤害，情节轻微。", **kwargs
    )
    assert list(case.determinations.values_list("result", flat=True)) == ["serious", "minor"]
    assert det.supersedes.result == "serious"
    last = case.events.get(kind="determination", data__result="minor")
    assert last.corrects is not None and last.corrects.data["result"] == "serious"
    with pytest.raises(ProtectedError):
        case.delete()  # nothing is deleted


def test_rule_08_closing_as_unfounded_needs_a_reason(new_case, cw):
    leader = cw.user["safety_leader"]
    case = new_case()
    assert "须写明理由" in _refused(services.close_unfounded, case, by=leader, reason="无")
    with pytest.raises(PermissionDenied):  # a middle manager cannot close a report as unfounded
        services.close_unfounded(
            case, by=cw.user["middle_manager"], reason="经核查，当日无此事发生，系误报。"
        )
    services.close_unfounded(case, by=leader, reason="经核查监控和询问，当日无此事发生，系误报。")
    assert case.state == S.CLOSED and case.close_kind == "unfounded"
    closing = case.events.filter(kind="transition").order_by("-seq").first()
    assert "误报" in closing.data["reason"] and closing.data["to"] == S.CLOSED
    assert case.events.get(kind="opened")  # the original registration stays


def test_rule_08_corrections_point_at_what_they_correct(new_case, mm):
    case = new_case()
    opened = case.events.get(kind="opened")
    ev = services.correct_facts(case, by=mm, reason="地点登记有误", place="操场东侧")
    assert (
        ev.corrects_id == opened.pk
        and crypto.open_sealed(ev.data["diff"]["place"]["before"]) == "教学楼二楼走廊"
    )
    assert "须写明理由" in _refused(services.correct_facts, case, by=mm, reason="", place="食堂")


# --- rule 9 ------------------------------------------------------------------------------------


def test_rule_09_case_cannot_close_without_victim_counselling(new_case, drive, mm, leader):
    case = new_case()
    drive(case, S.FOLLOW_UP, result="minor")
    for m in case.measures.filter(state=MeasureState.EFFECTIVE):
        services.complete_measure(m, by=mm)
    for f in case.follow_ups.all():
        services.record_follow_up(f, by=mm, outcome="stable")
    msg = _refused(services.advance, case, "close", by=mm)
    assert "受欺凌学生张小明尚未接受心理辅导，不能结案" in msg
    assert "实施欺凌学生李小红尚未接受心理辅导和教育" in msg
    assert "实施欺凌学生李小红尚无加强管教（监督）计划" in msg
    assert "家庭教育指导" in msg
    for a in case.support_actions.exclude(kind=SupportKind.VICTIM_COUNSELLING):
        services.record_support(
            case, by=mm, party=a.party, kind=a.kind, done_at=clock.now(), provider="德育处"
        )
    msg = _refused(services.advance, case, "close", by=mm)
    assert msg.count("不能结案") == 1 and "受欺凌学生张小明尚未接受心理辅导" in msg
    victim = _party(case, PartyRole.VICTIM)
    services.record_support(
        case,
        by=mm,
        party=victim,
        kind=SupportKind.VICTIM_COUNSELLING,
        done_at=clock.now(),
        provider="心理教师",
        notes="第一次辅导：情绪稳定",
    )
    services.advance(case, "close", by=mm)
    assert case.state == S.CLOSED


# --- rule 10 -----------------------------------------------------------------------------------


def test_rule_10_bullying_finding_needs_an_outcome_and_a_notice_for_each_bully(new_case, drive, mm, cw):
    case = new_case()
    services.add_party(case, by=mm, role=PartyRole.ALLEGED_BULLY, student=cw.student_other_school)
    drive(case, S.HANDLING, result="minor")
    scenarios.notify_sides(case, mm, NoticePurpose.DETERMINATION, participated=False)
    first = case.parties.get(student=cw.student_other_class)
    for code in ("criticism", "warning_talk", "apology"):
        services.record_measure(case, by=mm, party=first, item_code=code)
    services.notify_guardian(
        case,
        by=mm,
        party=first,
        purpose=NoticePurpose.OUTCOME,
        method=NoticeMethod.FACE,
        notified_at=clock.now(),
    )
    msg = _refused(services.advance, case, "finish_handling", by=mm)
    assert "对实施欺凌学生王小刚尚未采取「批评教育」" in msg
    assert "尚未将处理决定告知实施欺凌学生王小刚的监护人" in msg
    assert "李小红" not in msg


# --- rule 11 -----------------------------------------------------------------------------------


def test_rule_11_measures_limited_by_role_and_level(new_case, drive, mm, cw):
    teacher = cw.user["class_teacher"]
    # the bully is the class teacher's own student this time
    case = new_case(victim=cw.student_other_class, bully=cw.student_own)
    drive(case, S.HANDLING, result="serious")
    bully = _party(case, PartyRole.ALLEGED_BULLY)
    m = services.record_measure(case, by=teacher, party=bully, item_code="apology")
    assert m.decider == "teacher" and m.state == MeasureState.EFFECTIVE and m.article == "DR Art 8(2)"
    assert "班主任只能采取一般教育惩戒" in _refused(
        services.record_measure, case, by=teacher, party=bully, item_code="moral_talk"
    )
    # a school decision may; suspension at most 7 days and guardians told in advance
    assert "不得超过7天" in _refused(
        services.record_measure, case, by=mm, party=bully, item_code="suspension", suspension_days=8
    )
    s = services.record_measure(case, by=mm, party=bully, item_code="suspension", suspension_days=3)
    assert s.state == MeasureState.PROPOSED
    services.record_defence(s, by=mm, at=clock.now(), record="学生陈述：承认推人")
    assert "尚未事先告知家长" in _refused(services.put_into_effect, s, by=mm)
    services.notify_guardian(
        case,
        by=mm,
        party=bully,
        purpose=NoticePurpose.PRIOR,
        method=NoticeMethod.LETTER,
        notified_at=clock.now(),
        measure=s,
    )
    assert services.put_into_effect(s, by=mm).state == MeasureState.EFFECTIVE
    # a teacher of another class has no measure right on this case
    other_teacher = cw.user_b["class_teacher"]
    with pytest.raises(PermissionDenied):
        services.record_measure(case, by=other_teacher, party=bully, item_code="roll_call")


# --- rule 12 -----------------------------------------------------------------------------------


def test_rule_12_serious_measures_not_below_grade_4_and_no_expulsion_in_compulsory_school(
    new_case, drive, mm, cw, settings
):
    # the bully is a 三年级 pupil of 习岗小学 (A2)
    case = new_case(bully=cw.student_other_school)
    drive(case, S.HANDLING, result="serious")
    pupil = _party(case, PartyRole.ALLEGED_BULLY)
    assert "不适用于4年级以下学生" in _refused(
        services.record_measure, case, by=mm, party=pupil, item_code="suspension", suspension_days=1
    )
    offered = {it.code for it in services.allowed_items(case, pupil)}
    assert "suspension" not in offered and "legal_reprimand" not in offered and "apology" in offered
    settings.ANXIN_CASES = {"SEVERE_MIN_GRADE": 3}
    assert "suspension" in {it.code for it in services.allowed_items(case, pupil)}
    # 初中 (A1): no expulsion
    case2 = new_case()
    drive(case2, S.HANDLING, result="serious")
    junior = _party(case2, PartyRole.ALLEGED_BULLY)
    assert "义务教育阶段不得开除学籍" in _refused(
        services.record_measure, case2, by=mm, party=junior, item_code="expulsion"
    )
    # a 高中 student may be expelled (after the full procedure)
    senior, c1, _ = make_school(cw.county_a, "贺兰县第一高级中学", "2164012209", type_="senior")
    principal = make_user("senior_principal", cw.county_a, Role.PRINCIPAL, senior)
    scenarios.constitute(senior, principal, with_student=True)
    s1 = make_student(c1, "高一甲", 11)
    s2 = make_student(c1, "高一乙", 12)
    case3 = scenarios.open_simple(senior, principal, victim=s1, bully=s2)
    scenarios.drive(case3, principal, S.HANDLING, result="serious")
    m = services.record_measure(
        case3, by=principal, party=_party(case3, PartyRole.ALLEGED_BULLY), item_code="expulsion"
    )
    assert m.state == MeasureState.PROPOSED


# --- rule 13 -----------------------------------------------------------------------------------


def test_rule_13_serious_measures_take_effect_only_after_defence_and_requested_hearing(new_case, drive, mm):
    case = new_case()
    drive(case, S.HANDLING, result="serious")
    bully = _party(case, PartyRole.ALLEGED_BULLY)
    m = services.record_measure(case, by=mm, party=bully, item_code="demerit")
    services.notify_guardian(
        case,
        by=mm,
        party=bully,
        purpose=NoticePurpose.PRIOR,
        method=NoticeMethod.LETTER,
        notified_at=clock.now(),
        measure=m,
    )
    assert "尚未记录学生的陈述申辩" in _refused(services.put_into_effect, m, by=mm)
    assert "尚未生效" in _refused(services.advance, case, "finish_handling", by=mm)
    services.record_defence(m, by=mm, at=clock.now(), record="家长认为处分过重", hearing_requested=True)
    assert "尚未记录听证" in _refused(services.put_into_effect, m, by=mm)
    services.record_hearing(m, by=mm, at=clock.now(), record="听证会：维持记过")
    assert services.put_into_effect(m, by=mm).state == MeasureState.EFFECTIVE


# --- rule 14 -----------------------------------------------------------------------------------


def test_rule_14_appeal_window_counts_working_days_with_the_holiday_calendar(new_case, drive, mm, cw):
    with time_machine.travel(dt.datetime(2026, 10, 26, 10, 0, tzinfo=clock.SHANGHAI), tick=False):
        case = new_case()
        drive(case, S.HANDLING, result="minor")
        scenarios.handle(case, mm)
        bully = _party(case, PartyRole.ALLEGED_BULLY)
        measure = bully.measures.get(item_code="warning_talk")
        notified = dt.date(2026, 9, 30)  # a Wednesday, before the National Day holiday
        kwargs = dict(
            kind="school_appeal",
            party=bully,
            appellant="李小红的父亲",
            filed_on=dt.date(2026, 10, 26),
            grounds="处理过重",
            measure=measure,
            notified_on=notified,
            notice_correction="家长于9月30日当面获知处理决定，通知记录补录晚了",
        )
        # without the holiday calendar, 15 working days end on 21 October
        assert "2026年10月21日前" in _refused(services.file_appeal, case, by=mm, **kwargs)
        for day in range(1, 8):
            Holiday.objects.create(county=cw.county_a, date=dt.date(2026, 10, day), name="国庆节")
        Holiday.objects.create(county=cw.county_a, date=dt.date(2026, 10, 10), name="调休", is_workday=True)
        appeal = services.file_appeal(case, by=mm, **kwargs)
        assert appeal.window_ends == dt.date(2026, 10, 27)
        # the school's 学生申诉委员会 decides (a school leader records it)
        with pytest.raises(PermissionDenied):
            services.decide_appeal(appeal, by=mm, outcome="upheld", outcome_text="维持原处理")
        services.decide_appeal(
            appeal, by=cw.user["safety_leader"], outcome="revoked", outcome_text="撤销警示谈话，改为批评教育"
        )
        measure.refresh_from_db()
        assert measure.state == MeasureState.REVOKED and "撤销" in measure.revoked_reason


def test_rule_14_county_review_within_15_days_changes_determination_as_a_new_event(
    new_case, drive, mm, leader, cw, settings
):
    case = new_case()
    drive(case, S.HANDLING, result="serious")
    scenarios.notify_sides(case, mm, NoticePurpose.DETERMINATION, participated=False)
    bully = _party(case, PartyRole.ALLEGED_BULLY)
    # the city 复核 stage is off by default
    assert "未启用市级复核" in _refused(
        services.file_appeal,
        case,
        by=mm,
        kind="city_review",
        party=bully,
        appellant="家长",
        filed_on=clock.today(),
        grounds="不服",
    )
    review = services.file_appeal(
        case,
        by=mm,
        kind="county_review",
        party=bully,
        appellant="李小红的父亲",
        filed_on=clock.today(),
        grounds="认定过重",
    )
    assert review.due_on == clock.today() + dt.timedelta(days=15)
    bureau = cw.user["bureau_safety"]
    assert BullyingCase.objects.restrict(bureau, "view").filter(pk=case.pk).exists()  # the county sees it now
    services.decide_appeal(
        review, by=bureau, outcome="changed", outcome_text="经复查，情节轻微", new_result="minor"
    )
    results = list(case.determinations.order_by("seq").values_list("result", "source"))
    assert results == [("serious", "committee"), ("minor", "county_review")]
    changed = case.events.get(kind="determination.changed")
    assert changed.corrects.kind == "determination"
    case.refresh_from_db()
    assert case.result == "minor"
    settings.ANXIN_CASES = {"CITY_REVIEW_ENABLED": True}
    city = services.file_appeal(
        case,
        by=mm,
        kind="city_review",
        party=bully,
        appellant="家长",
        filed_on=clock.today(),
        grounds="不服复查",
        parent=review,
    )
    assert city.due_on == clock.today() + dt.timedelta(days=30)


# --- rule 15 -----------------------------------------------------------------------------------


def test_rule_15_banned_measures_cannot_be_entered(new_case, drive, mm):
    case = new_case()
    drive(case, S.HANDLING, result="serious")
    bully = _party(case, PartyRole.ALLEGED_BULLY)
    assert "禁止的惩戒方式" in _refused(
        services.record_measure, case, by=mm, party=bully, item_code="corporal"
    )
    msg = _refused(
        services.record_measure,
        case,
        by=mm,
        party=bully,
        item_code="school_service",
        description="罚站两节课并反复抄写校规",
    )
    assert "禁止的惩戒方式" in msg and "DR Art 12(2)" in msg
    assert "不在" in _refused(services.record_measure, case, by=mm, party=bully, item_code="invented")
    assert not any(it.code in ("corporal", "collective") for it in CATALOGUE)
    assert not case.measures.exists()


# --- rule 16 -----------------------------------------------------------------------------------


def test_rule_16_special_school_only_by_application_decided_by_the_bureau(new_case, drive, mm, leader, cw):
    case = new_case()
    drive(case, S.HANDLING, result="severe")
    bully = _party(case, PartyRole.ALLEGED_BULLY)
    assert "只能由学校提出申请" in _refused(
        services.record_measure, case, by=mm, party=bully, item_code="special_school"
    )
    with pytest.raises(PermissionDenied):
        services.apply_special_school(case, by=mm, party=bully, reasons="多次欺凌")
    app = services.apply_special_school(case, by=leader, party=bully, reasons="多次实施严重欺凌，屡教不改")
    with pytest.raises(PermissionDenied):  # the school cannot decide its own application
        services.decide_special_school(app, by=leader, approved=True, decided_on=clock.today())
    bureau = cw.user["bureau_safety"]
    assert "评估意见" in _refused(
        services.decide_special_school, app, by=bureau, approved=True, decided_on=clock.today()
    )
    services.decide_special_school(
        app,
        by=bureau,
        approved=True,
        decided_on=clock.today(),
        assessment="专门教育指导委员会评估：同意",
        assessed_on=clock.today(),
        decision_no="贺教发〔2026〕12号",
    )
    app.refresh_from_db()
    assert app.status == ApplicationStatus.APPROVED
    student = bully.student
    student.refresh_from_db()
    assert student.school_id == cw.school_a1.pk and student.status == "enrolled"  # 学籍 unchanged


# --- rule 17 -----------------------------------------------------------------------------------


def test_rule_17_every_case_from_any_channel_appears_in_the_county_register(cw, mm, as_user):
    numbers = {}
    for source in Source.values:
        case = scenarios.open_simple(cw.school_a1, mm, victim=cw.student_own, bully=None, source=source)
        numbers[source] = case.number
        if source in ("hotline", "email"):
            assert case.first_responder_id == mm.pk  # 首问负责制
    bureau = as_user(cw.user["bureau_safety"])
    body = bureau.get(reverse("cases:case_list")).content.decode()
    for number in numbers.values():
        assert number in body
    assert BullyingCase.objects.restrict(cw.user["bureau_safety"], "register").count() == len(Source.values)
    # nothing of county A reaches county B's register
    assert BullyingCase.objects.restrict(cw.user_b["bureau_safety"], "register").count() == 0
