"""LAW 3's exception (seed 二(三) 学校初步判断为“玩笑打闹”或一般纠纷的，可直接予以批评教育解决)
and the graded response's first row (批评教育 directly — no 教育惩戒 measure, not even DR Art 8),
one test per workflow row: ``settle`` and ``escalate``."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from anxin.cases import params, rules, scenarios, services, workflow
from anxin.cases.models import (
    CaseState,
    DeterminationSource,
    MeasureState,
    NoticePurpose,
    PartyRole,
)
from anxin.core import clock
from anxin.core.roles import Role

S = CaseState
GROUNDS = "两名学生课间追逐嬉闹，双方均无恶意，未造成伤害，事后已和好。"


def _refused(fn, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as exc:
        fn(*args, **kwargs)
    return " ".join(exc.value.messages)


@pytest.fixture
def notified(new_case, drive, mm):
    """A case whose two families were told of the incident (家校互通 done)."""

    def _make(**kw):
        case = new_case(**kw)
        drive(case, S.NOTIFYING)
        scenarios.notify_sides(case, mm)
        return case

    return _make


def test_settle_row_the_safety_leader_settles_a_joke_directly_with_criticism(notified, leader, mm):
    t = workflow.TRANSITIONS["settle"]
    assert t.action == "settle" and t.target == S.HANDLING and "seed 二(三)" in t.rule
    case = notified()
    services.settle_directly(case, by=leader, result="joke", grounds=GROUNDS)
    case.refresh_from_db()
    assert case.state == S.HANDLING and case.result == "joke" and case.is_bullying is False
    det = case.determinations.get()
    assert det.source == DeterminationSource.DIRECT and det.committee is None and det.reason == GROUNDS
    # 批评教育 given, and nothing else: no 教育惩戒, no support duties, no bureau report
    bully = case.parties.get(role=PartyRole.ALLEGED_BULLY)
    assert [(m.item_code, m.state) for m in bully.measures.all()] == [("criticism", MeasureState.DONE)]
    assert not case.support_actions.exists() and not case.report_required
    assert case.events.filter(kind="settlement").exists()
    # both families are told of the settlement before the case closes
    assert "尚未将认定结果告知" in _refused(services.advance, case, "close_not_bullying", by=mm)
    scenarios.notify_sides(case, mm, NoticePurpose.DETERMINATION, participated=False)
    services.advance(case, "close_not_bullying", by=mm)
    case.refresh_from_db()
    assert case.state == S.CLOSED


def test_settle_row_refusals(notified, new_case, leader, mm, cw):
    case = notified()
    # only the safety leader settles directly
    for user in (mm, cw.user[Role.PRINCIPAL]):
        with pytest.raises(PermissionDenied):
            services.settle_directly(case, by=user, result="joke", grounds=GROUNDS)
    assert "只适用于学校初步判断为玩笑打闹或一般纠纷" in _refused(
        services.settle_directly, case, by=leader, result="minor", grounds=GROUNDS
    )
    assert "请写明初步判断为玩笑打闹或一般纠纷的依据" in _refused(
        services.settle_directly, case, by=leader, result="dispute", grounds="打闹"
    )
    # families not yet told of the incident
    fresh = new_case(victim=cw.student_other_school, bully=cw.student_own)
    scenarios.drive(fresh, mm, S.NOTIFYING)
    assert "尚未通知" in _refused(services.settle_directly, fresh, by=leader, result="joke", grounds=GROUNDS)
    # a case that must be reported goes to the committee
    serious = notified(suspected_serious=True)
    assert "须提请学生欺凌治理委员会认定" in _refused(
        services.settle_directly, serious, by=leader, result="joke", grounds=GROUNDS
    )
    # not offered as a plain button: it takes the grounds on its own form
    assert "settle" not in {t.name for t in workflow.transitions_from(S.NOTIFYING)}


def test_no_discipline_measure_is_offered_or_accepted_for_a_joke_or_a_dispute(notified, leader, mm, as_user):
    case = notified()
    services.settle_directly(case, by=leader, result="dispute", grounds=GROUNDS)
    bully = case.parties.get(role=PartyRole.ALLEGED_BULLY)
    victim = case.parties.get(role=PartyRole.VICTIM)
    assert [it.code for it in services.allowed_items(case, bully)] == ["criticism"]
    assert [it.code for it in services.allowed_items(case, victim, teacher_only=True)] == ["criticism"]
    for code in ("stand", "extra_task", "roll_call", "after_class", "apology", "warning_talk", "moral_talk"):
        assert "不能采取" in _refused(services.record_measure, case, by=mm, party=victim, item_code=code)
    page = as_user(mm).get(reverse("cases:case_step", args=[case.pk, "measure"])).content.decode()
    assert "批评教育" in page and "点名批评" not in page and "教室内站立" not in page
    case.refresh_from_db()
    resp = as_user(mm).post(
        f"/api/v1/cases/{case.pk}/measure/",
        {"party": victim.pk, "item_code": "stand", "version": case.version},
        content_type="application/json",
    )
    assert resp.status_code == 400
    assert not victim.measures.exists()


def test_a_committee_finding_of_a_joke_offers_criticism_only_as_well(new_case, drive, mm):
    case = new_case()
    drive(case, S.HANDLING, result="joke")
    victim = case.parties.get(role=PartyRole.VICTIM)
    assert "不能采取" in _refused(services.record_measure, case, by=mm, party=victim, item_code="stand")


def test_escalate_row_a_family_disagrees_and_the_committee_decides(notified, leader, mm, drive):
    t = workflow.TRANSITIONS["escalate"]
    assert S.CLOSED in t.sources and t.target == S.INVESTIGATING
    case = notified()
    services.settle_directly(case, by=leader, result="joke", grounds=GROUNDS)
    scenarios.notify_sides(case, mm, NoticePurpose.DETERMINATION, participated=False)
    services.advance(case, "close_not_bullying", by=mm)
    assert "请选择提请认定的原因" in _refused(
        services.escalate_settlement, case, by=mm, ground="", reason="家长认为孩子被欺负了"
    )
    services.escalate_settlement(
        case, by=mm, ground="family_disagrees", reason="被欺凌学生家长不同意按玩笑打闹处理，要求认定"
    )
    case.refresh_from_db()
    assert case.state == S.INVESTIGATING and case.result == "" and case.closed_at is None
    assert case.events.filter(kind="settlement.escalated").exists()
    # once a family disagreed, no second direct settlement
    assert "家长有异议或已申请认定" in _refused(
        services.settle_directly, case, by=leader, result="joke", grounds=GROUNDS
    )
    drive(case, S.HANDLING, result="minor")
    case.refresh_from_db()
    first, second = case.determinations.order_by("seq")
    assert (first.source, second.source) == (DeterminationSource.DIRECT, DeterminationSource.COMMITTEE)
    assert second.supersedes_id == first.pk and case.result == "minor"
    assert case.support_actions.exists()  # the duties of any bullying now apply


def test_escalate_row_only_for_a_directly_settled_case(new_case, drive, mm):
    case = new_case()
    drive(case, S.HANDLING, result="joke")  # found by the committee
    assert "不是学校直接处理" in _refused(
        services.escalate_settlement,
        case,
        by=mm,
        ground="determination_requested",
        reason="家长申请重新认定此事",
    )


def test_the_same_students_again_within_the_window_go_to_the_committee(cw, notified, leader, mm):
    start = dt.datetime(2026, 9, 7, 10, 0, tzinfo=clock.SHANGHAI)
    with time_machine.travel(start, tick=False):
        first = notified()
        services.settle_directly(first, by=leader, result="joke", grounds=GROUNDS)
    with time_machine.travel(start + dt.timedelta(days=60), tick=False):
        again = notified()
        msg = _refused(services.settle_directly, again, by=leader, result="joke", grounds=GROUNDS)
        assert "90日内另有事件" in msg and first.number in msg
    with time_machine.travel(start + dt.timedelta(days=151), tick=False):
        later = notified()  # 91 days after the last meeting
        services.settle_directly(later, by=leader, result="joke", grounds=GROUNDS)
    with time_machine.travel(start + dt.timedelta(days=251), tick=False):
        # the county's window applies to cases opened under it: 120 days
        params.set_version(
            by=cw.user[Role.BUREAU_ADMIN],
            county_id=cw.county_a.pk,
            effective_from=clock.today(),
            values={"JOKE_REPEAT_DAYS": 120},
            reason="本县规定一学期内再次发生的须认定",
        )
        longer = notified()  # 100 days after the last meeting: outside 90 days, inside 120
        assert rules.repeat_meetings(longer, 90) == [] and rules.repeat_meetings(longer, 120) == [
            f"案件{later.number}"
        ]
        assert "120日内另有事件" in _refused(
            services.settle_directly, longer, by=leader, result="joke", grounds=GROUNDS
        )


def test_the_same_students_in_a_report_within_the_window_go_to_the_committee(cw, notified, leader, mm):
    from anxin.intake.models import Report, ReportStudent

    report = Report.objects.create(county=cw.county_a, school=cw.school_a1, channel="staff", text="又在打闹")
    for student, role in ((cw.student_own, "victim"), (cw.student_other_class, "alleged_bully")):
        ReportStudent.objects.create(
            county=cw.county_a, school=cw.school_a1, report=report, student=student, role=role, linked_by=mm
        )
    case = notified()
    assert "举报1件" in _refused(services.settle_directly, case, by=leader, result="joke", grounds=GROUNDS)


def test_a_new_case_of_the_same_students_flags_the_earlier_settlement_for_the_committee(
    cw, notified, new_case, leader, mm, django_capture_on_commit_callbacks
):
    """LAW 3 exception: the same students meeting again within the window send the *earlier*
    direct settlement to the committee: flagged on its timeline, audited, its safety leader told;
    the escalation with the ground 同一学生再次发生 then opens the committee path."""
    from anxin.core.models import AuditEvent, Notification

    start = dt.datetime(2026, 9, 7, 10, 0, tzinfo=clock.SHANGHAI)
    with time_machine.travel(start, tick=False):
        first = notified()
        services.settle_directly(first, by=leader, result="joke", grounds=GROUNDS)
        scenarios.notify_sides(first, mm, NoticePurpose.DETERMINATION, participated=False)
        services.advance(first, "close_not_bullying", by=mm)
    with time_machine.travel(start + dt.timedelta(days=200), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            outside = new_case()  # outside the 90 days: nothing
        assert not first.events.filter(kind="settlement.repeat").exists()
    with time_machine.travel(start + dt.timedelta(days=60), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            again = new_case()
        flags = first.events.filter(kind="settlement.repeat")
        assert [e.data["case_id"] for e in flags] == [again.pk]
        assert again.number in flags.get().summary and "90日内" in flags.get().summary
        assert AuditEvent.objects.filter(action="case.settlement_repeat", object_id=str(first.pk)).exists()
        assert Notification.objects.filter(recipient=leader, kind="cases.settlement_repeat").count() == 1
        # idempotent: another party of the same case flags nothing twice
        from anxin.cases.escalation import flag_repeat

        assert flag_repeat(again) == [] and flags.count() == 1
        services.escalate_settlement(
            first, by=mm, ground="repeat", reason=f"同一学生在{again.number}中再次涉及"
        )
        first.refresh_from_db()
        assert first.state == S.INVESTIGATING
        # once escalated, it is not flagged again
        assert flag_repeat(again) == []
    assert outside.pk != again.pk
