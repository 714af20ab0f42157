"""Defects found against the law (issue 16), each with the test that failed before the fix: the
appeal window from the notice on record; the bureau report drafted from the case's record;
Art 8 measures by subject teachers; a real determination feeding the tendency register."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from anxin.cases import documents, scenarios, services
from anxin.cases.models import CaseState, MeasureState, PartyRole
from anxin.core import clock
from anxin.core.models import Notification
from anxin.core.roles import Role

S = CaseState


def _refused(fn, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as exc:
        fn(*args, **kwargs)
    return " ".join(exc.value.messages)


# --- the appeal window runs from the notice on record (LAW 14) --------------------------------------


def test_appeal_deadline_runs_from_the_notice_on_record_not_a_typed_date(new_case, drive, mm):
    start = dt.datetime(2026, 9, 1, 10, 0, tzinfo=clock.SHANGHAI)  # a Tuesday
    with time_machine.travel(start, tick=False):
        case = new_case()
        drive(case, S.HANDLING, result="minor")
        scenarios.handle(case, mm)  # the outcome notices are recorded today
    bully = case.parties.get(role=PartyRole.ALLEGED_BULLY)
    measure = bully.measures.get(item_code="warning_talk")
    kwargs = dict(
        kind="school_appeal",
        party=bully,
        appellant="李小红的父亲",
        grounds="处理过重",
        measure=measure,
    )
    with time_machine.travel(start + dt.timedelta(days=40), tick=False):
        filed = clock.today()
        # 15 working days after 1 September have passed: a later typed date must not reopen it
        msg = _refused(services.file_appeal, case, by=mm, filed_on=filed, notified_on=filed, **kwargs)
        assert "按已记录的告知日期（2026年09月01日）计算" in msg and "更正理由" in msg
        assert "已超过申请期限" in _refused(services.file_appeal, case, by=mm, filed_on=filed, **kwargs)
        assert not case.appeals.exists()
        # a correction with its reason is accepted and logged on the timeline
        appeal = services.file_appeal(
            case,
            by=mm,
            filed_on=filed,
            notified_on=filed - dt.timedelta(days=2),
            notice_correction="家长实际于10月9日才收到书面处理决定，通知记录日期有误",
            **kwargs,
        )
    assert appeal.notified_on == filed - dt.timedelta(days=2)
    ev = case.events.get(kind="appeal.notice_corrected")
    assert ev.data["on_record"] == "2026-09-01" and "书面处理决定" in ev.data["reason"]
    assert "2026-09-01 →" in ev.summary


# --- the bureau report is drafted from the case's record (R-CASE-7; seed 二(四)) --------------------


def test_first_report_without_a_typed_cause_can_be_sent_and_says_what_is_not_known(cw, mm, leader):
    case = services.open_case(
        by=mm,
        school=cw.school_a1,
        source="public_opinion",
        discovered_at=clock.now(),
        summary="网上流传一段学生被围堵的视频",
        students=[(cw.student_own, "victim"), (cw.student_other_class, "alleged_bully")],
    )
    services.record_immediate(case, by=mm, kind="stop", taken_at=clock.now(), description="当场制止")
    r = services.draft_report(case, by=mm)
    assert r.cause == "尚在调查核实中" and r.place == "尚在调查核实中"
    assert "发生时间：不详" in r.occurred_text
    services.update_report(r, by=mm, contact="德育处 0951-8012345")
    scenarios.sign_and_send(r, leader)  # was refused with «请填写起因»
    r.refresh_from_db()
    assert r.submitted_at is not None


def test_unknown_times_stay_unknown(cw, mm):
    midnight = dt.datetime(2026, 10, 12, 0, 0, tzinfo=clock.SHANGHAI)  # a date without a time
    case = services.open_case(
        by=mm,
        school=cw.school_a1,
        source="staff",
        discovered_at=clock.now(),
        occurred_at=midnight,
        summary="家长反映孩子在校被推搡",
        students=[(cw.student_own, "victim")],
    )
    r = services.draft_report(case, by=mm)
    assert "00时00分" not in r.occurred_text and "2026年10月12日（具体时间不详）" in r.occurred_text


def test_report_is_drafted_from_the_investigation_and_the_docx_holds_the_findings(
    new_case, drive, mm, leader
):
    case = new_case(source="public_opinion", cause="")
    drive(case, S.INVESTIGATING)  # 首报 sent while 家校互通
    services.update_investigation(
        case,
        by=mm,
        fact_time="10月12日上午第二节课后（约10时05分）",
        fact_place="教学楼二楼东侧走廊",
        fact_cause="因借用文具发生口角",
        fact_process="两名学生将一名学生堵在墙角推搡、辱骂，约三分钟后值周教师到场制止",
        fact_people="初一年级学生三名",
        findings="经询问双方及两名目击学生，推搡辱骂属实，无人受伤。",
    )
    follow = services.draft_report(case, by=mm, kind="follow")
    assert follow.cause == "因借用文具发生口角"
    assert follow.place == "教学楼二楼东侧走廊"
    assert "约10时05分" in follow.occurred_text
    assert follow.findings.startswith("经询问双方")
    # 涉及人员 by grade, class, role and count; names only in the annex
    assert "初一" in follow.people and "名" in follow.people
    for name in (case.parties.first().name, "张小明", "李小红"):
        assert name not in follow.people
    assert "开始调查" in follow.measures_taken and "已通知2名学生的监护人" in follow.measures_taken
    services.update_report(follow, by=mm, contact="德育处 0951-8012345")
    scenarios.sign_and_send(follow, leader)
    from docx import Document

    follow.refresh_from_db()
    doc = Document(io.BytesIO(documents.report_docx(follow)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "推搡辱骂属实" in text and "调查情况" in text


# --- subject teachers record Art 8 measures for students of the classes they teach (LAW 11) ---------


def test_subject_teacher_records_art_8_measures_for_students_of_classes_taught(cw, drive, mm, as_user):
    teacher = cw.user[Role.SUBJECT_TEACHER]  # teaches 初一1班 (student_own)
    case = scenarios.open_simple(cw.school_a1, mm, victim=cw.student_other_school, bully=cw.student_own)
    services.add_party(case, by=mm, role="alleged_bully", student=cw.student_other_class)
    drive(case, S.HANDLING, result="minor")
    own = case.parties.get(role=PartyRole.ALLEGED_BULLY, student=cw.student_own)
    m = services.record_measure(case, by=teacher, party=own, item_code="apology", description="书面检讨")
    assert m.decided_by == teacher and m.state == MeasureState.EFFECTIVE
    # nothing above Art 8
    assert "只能采取一般教育惩戒" in _refused(
        services.record_measure, case, by=teacher, party=own, item_code="moral_talk"
    )
    # not a student of a class they teach
    not_taught = case.parties.get(role=PartyRole.ALLEGED_BULLY, student=cw.student_other_class)
    assert "任教班级" in _refused(
        services.record_measure, case, by=teacher, party=not_taught, item_code="apology"
    )
    # the page: the measure step only, offering Art 8 measures for their own students; no case page
    c = as_user(teacher)
    assert c.get(reverse("cases:case_detail", args=[case.pk])).status_code == 404
    page = c.get(reverse("cases:case_step", args=[case.pk, "measure"])).content.decode()
    assert "课后教导" in page and "德育工作负责人" not in page
    assert cw.student_own.name in page and cw.student_other_class.name not in page
    # a case of other classes only: refused
    elsewhere = scenarios.open_simple(
        cw.school_a1, mm, victim=cw.student_other_class, bully=None, summary="另一起事件"
    )
    assert c.get(reverse("cases:case_step", args=[elsewhere.pk, "measure"])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.record_measure(elsewhere, by=teacher, party=elsewhere.parties.get(), item_code="apology")


# --- a real determination feeds the tendency register and its 重点盯防 alert (end to end) ------------


def test_a_committee_finding_feeds_the_tendency_register_and_the_watch_alert(
    cw, new_case, drive, mm, leader, django_capture_on_commit_callbacks
):
    from anxin.screening.models import TendencyEntry

    case = new_case()
    with django_capture_on_commit_callbacks(execute=True):
        drive(case, S.HANDLING, result="minor")  # the committee's determination, through the services
    entry = TendencyEntry.objects.get(student=cw.student_other_class, status=TendencyEntry.Status.ACTIVE)
    assert entry.case_ids == [case.pk]
    # the case that put the student there raises no alert
    assert not Notification.objects.filter(kind="watch_alert").exists()
    with django_capture_on_commit_callbacks(execute=True):
        again = scenarios.open_simple(cw.school_a1, mm, victim=cw.student_own, bully=cw.student_other_class)
    alert = Notification.objects.get(kind="watch_alert", recipient=leader)
    assert "重点盯防" in alert.title and cw.student_other_class.name not in alert.title
    assert str(again.pk) in alert.body
    # a finding of no bullying puts nobody on the register
    calm = scenarios.open_simple(cw.school_a1, mm, victim=cw.student_own, bully=cw.student_other_school)
    with django_capture_on_commit_callbacks(execute=True):
        drive(calm, S.HANDLING, result="dispute")
    assert not TendencyEntry.objects.filter(student=cw.student_other_school).exists()
