"""Triage (R-RPT-4; LAW 8, 17): every item acknowledged, its urgency set by a person (hint
words only suggest), duplicates merged, closed with a reason or turned into a case; the
content is never edited, only annotated; nothing is deleted."""

from __future__ import annotations

import sys
import types
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from anxin.core.models import AuditEvent, Notification
from anxin.intake import services
from anxin.intake.data import suggested_urgency, urgency_hints
from anxin.intake.models import Concern, Report, ReportStudent, TriageEvent
from anxin.intake.signals import students_named
from anxin.intake.tests.conftest import FORM


def _report(world, text="有人欺负我", school=None):
    return services.submit_report(school=school or world.school_a1, data={**FORM, "text": text}).report


def test_urgency_hint_words_are_found_most_urgent_first():
    words = urgency_hints("他们拍视频，还说要勒索我，再不给钱就用刀", "")
    assert words == ["刀", "拍视频", "勒索"]  # critical first; equal levels in the order written
    assert suggested_urgency(words) == "critical"
    assert urgency_hints("下课一起去打球") == []


def test_hints_are_shown_as_suggestions_and_never_set_urgency(world, as_user):
    report = _report(world, "他说明天带刀来，我不想活了")
    assert report.hint_words == ["刀", "不想活"]
    assert report.urgency == "" and report.status == "new"
    body = as_user(world.user["safety_leader"]).get(f"/intake/reports/{report.pk}/").content.decode()
    assert "仅供参考" in body and "不想活" in body and "刀" in body
    assert 'value="critical" checked' not in body  # the form does not pre-select the suggestion
    services.set_urgency(report, by=world.user["safety_leader"], urgency="high", note="已电话核实")
    report.refresh_from_db()
    assert report.urgency == "high" and report.status == "open"  # set by a person; first touch acknowledges
    ev = TriageEvent.objects.get(report=report, kind="urgency")
    assert ev.data["to"] == "high" and ev.data["hint_words"] == report.hint_words


def test_acknowledge_records_who_and_when(world, as_user):
    report = _report(world)
    c = as_user(world.user["middle_manager"])
    r = c.post(f"/intake/reports/{report.pk}/acknowledge/")
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.status == "open" and report.acknowledged_by == world.user["middle_manager"]
    assert report.owner == world.user["middle_manager"]
    c.post(f"/intake/reports/{report.pk}/acknowledge/")
    assert TriageEvent.objects.filter(report=report, kind="acknowledged").count() == 1


def test_close_needs_a_reason(world, as_user):
    report = _report(world)
    with pytest.raises(ValidationError, match="办结理由"):
        services.close(report, by=world.user["safety_leader"], kind="resolved", reason="  ")
    c = as_user(world.user["safety_leader"])
    r = c.post(f"/intake/reports/{report.pk}/close/", {"kind": "resolved", "reason": ""}, follow=True)
    assert "办结理由" in r.content.decode()
    report.refresh_from_db()
    assert report.status == "new"
    c.post(
        f"/intake/reports/{report.pk}/close/",
        {"kind": "not_bullying", "reason": "经调查为同学间玩笑打闹，已批评教育。"},
    )
    report.refresh_from_db()
    assert report.status == "closed" and report.close_kind == "not_bullying"
    assert report.closed_by == world.user["safety_leader"]


def test_prank_is_closed_with_a_reason_never_deleted_and_history_keeps_both(world):
    report = _report(world, "测试测试哈哈")
    leader = world.user["safety_leader"]
    services.mark_unfounded(report, by=leader, kind="prank", reason="内容为无意义测试文字")
    services.reopen(report, by=leader, reason="举报人补充了照片，需要重新核实")
    report.refresh_from_db()
    assert report.status == "open" and report.close_reason == ""
    closed, reopened = TriageEvent.objects.filter(report=report, kind__in=["closed", "reopened"]).order_by(
        "id"
    )
    assert closed.text == "内容为无意义测试文字" and closed.data["kind"] == "prank"
    assert reopened.data["previous"]["reason"] == "内容为无意义测试文字"
    assert Report.objects.filter(pk=report.pk).exists()
    with pytest.raises(ValidationError):
        services.mark_unfounded(report, by=leader, kind="resolved", reason="不是不实的类型")


def test_content_is_never_edited_only_annotated(world):
    report = _report(world, "原始内容：他抢了我的钱")
    leader = world.user["safety_leader"]
    services.set_urgency(report, by=leader, urgency="medium")
    services.link_students(report, by=leader, links=[(world.student_own, "victim")])
    services.add_note(report, by=leader, text="已联系班主任")
    services.close(report, by=leader, kind="resolved", reason="已退还财物并批评教育")
    report.refresh_from_db()
    assert report.text == "原始内容：他抢了我的钱" and report.people == FORM["people"]
    kinds = list(TriageEvent.objects.filter(report=report).values_list("kind", flat=True))
    assert kinds == ["acknowledged", "urgency", "linked", "note", "closed"]
    updates = AuditEvent.objects.filter(object_type="intake.report", action="update")
    for ev in updates:
        assert "text" not in ev.data["after"] and "people" not in ev.data["after"]


def test_merge_moves_handling_to_the_target_and_keeps_the_duplicate(world):
    leader = world.user["safety_leader"]
    first, second, third = _report(world, "第一条"), _report(world, "第二条"), _report(world, "第三条")
    services.set_urgency(second, by=leader, urgency="high")
    services.merge(third, into=second, by=leader, reason="同一件事")
    services.merge(second, into=first, by=leader, reason="同一件事")
    for r in (first, second, third):
        r.refresh_from_db()
    assert second.status == "merged" and second.merged_into == first
    assert third.merged_into == first  # follows its target to the root
    assert first.urgency == "high" and first.status == "new"  # the target still needs its own acknowledgement
    assert second.text == "第二条"
    assert TriageEvent.objects.filter(report=first, kind="merged_in").count() == 2
    with pytest.raises(ValidationError, match="已合并"):
        services.close(second, by=leader, kind="resolved", reason="重复的不能再办结")


def test_merge_refuses_itself_and_other_schools(world):
    leader = world.user["safety_leader"]
    a, b = _report(world), _report(world, school=world.school_a2)
    with pytest.raises(ValidationError, match="同一学校"):
        services.merge(a, into=b, by=leader)
    with pytest.raises(ValidationError, match="它自己"):
        services.merge(a, into=a, by=leader)


def test_merge_from_the_page_only_into_a_report_the_user_may_handle(world, as_user):
    a = _report(world)
    foreign = _report(world, school=world.school_b1)
    c = as_user(world.user["safety_leader"])
    r = c.post(f"/intake/reports/{a.pk}/merge/", {"into": foreign.pk}, follow=True)
    assert "找不到编号" in r.content.decode()
    a.refresh_from_db()
    assert a.status == "new"


def test_linking_students_announces_them_and_refuses_other_schools(world):
    leader = world.user["safety_leader"]
    report = _report(world)
    heard = []

    def listener(sender, school, students, source_obj, **kw):
        heard.append((school, [s.pk for s in students], source_obj.pk))

    students_named.connect(listener, dispatch_uid="test-listener")
    try:
        made = services.link_students(
            report,
            by=leader,
            links=[(world.student_own, "victim"), (world.student_other_class, "alleged_bully")],
        )
        again = services.link_students(report, by=leader, links=[(world.student_own, "victim")])
    finally:
        students_named.disconnect(dispatch_uid="test-listener")
    assert len(made) == 2 and again == []
    assert heard == [(world.school_a1, [world.student_own.pk, world.student_other_class.pk], report.pk)]
    with pytest.raises(ValidationError, match="本校学生"):
        services.link_students(report, by=leader, links=[(world.student_other_school, "victim")])
    assert ReportStudent.objects.count() == 2


def test_reply_is_only_for_anonymous_reports(world):
    concern = services.raise_concern(
        by=world.user["class_teacher"], school=world.school_a1, text="情绪低落", student=world.student_own
    )
    with pytest.raises(ValidationError, match="没有跟进码"):
        services.reply(concern, by=world.user["safety_leader"], body="收到")


def test_raise_concern_interface_arrives_in_the_inbox_and_names_the_student(world, as_user):
    heard = []
    students_named.connect(lambda sender, **kw: heard.append(kw), dispatch_uid="t2", weak=False)
    try:
        concern = services.raise_concern(
            by=world.user["security_staff"],
            school=world.school_a1,
            text="监控看到有人在厕所门口围堵",
            student=world.student_own,
            source="monitoring",
            place="一楼厕所",
            flagged_from=world.school_a1,
        )
    finally:
        students_named.disconnect(dispatch_uid="t2")
    assert isinstance(concern, Concern) and concern.source == "monitoring" and concern.text.startswith("监控")
    assert concern.flagged_from_type == "org.school"
    assert heard[0]["students"] == [world.student_own] and heard[0]["source_obj"].pk == concern.pk
    body = as_user(world.user["safety_leader"]).get("/intake/").content.decode()
    assert f"#{concern.pk}" in body and "视频监控值守发现苗头" in body
    with pytest.raises(ValidationError):
        services.raise_concern(
            by=world.user["class_teacher"], school=world.school_a1, text="x", source="rumour"
        )


def test_concern_from_the_student_page_link(world, as_user):
    c = as_user(world.user["class_teacher"])
    r = c.get(f"/intake/concerns/new/?student={world.student_own.pk}")
    assert r.status_code == 200
    assert r.context["form"]["student"].initial == world.student_own
    r = c.post(
        "/intake/concerns/new/",
        {"student": world.student_own.pk, "source": "staff", "text": "最近总是一个人吃饭，情绪低落"},
    )
    assert r.status_code == 302
    concern = Concern.objects.get()
    assert concern.student == world.student_own and concern.raised_by == world.user["class_teacher"]
    # another class's student is outside the class teacher's scope
    assert c.get(f"/intake/concerns/new/?student={world.student_other_class.pk}").status_code == 404


def test_first_person_who_takes_a_phone_report_owns_it_until_handed_on(
    world, as_user, django_capture_on_commit_callbacks
):
    teacher = world.user["subject_teacher"]
    c = as_user(teacher)
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(
            "/intake/record/",
            {
                "school": world.school_a1.pk,
                "channel": "phone",
                "reporter_kind": "parent",
                "text": "家长来电：孩子在宿舍被同学要钱",
                "contact": "13700000000",
            },
        )
    assert r.status_code == 302 and r["Location"] == "/intake/mine/"
    report = Report.objects.get()
    assert report.owner == teacher and report.raised_by == teacher and report.channel == "phone"
    assert report.contact == "13700000000"
    # the inbox sees it at once (LAW 17) and the triagers were told
    assert Notification.objects.filter(recipient=world.user["safety_leader"], kind="intake_new").exists()
    assert f"#{report.pk}" in c.get("/intake/mine/").content.decode()
    r = c.post(f"/intake/mine/{report.pk}/hand-over/", {f"h{report.pk}-to": world.user["safety_leader"].pk})
    report.refresh_from_db()
    assert report.owner == world.user["safety_leader"]
    # the new owner is told at once (issue 11 item 2)
    assert Notification.objects.filter(recipient=world.user["safety_leader"], kind="intake_handover").exists()
    assert TriageEvent.objects.get(report=report, kind="handed_over").by == teacher
    # only to someone who triages at that school
    with pytest.raises(ValidationError):
        services.hand_over(report, to=world.user["class_teacher"], by=world.user["safety_leader"])


def test_open_case_is_hidden_and_refused_while_the_cases_app_lacks_it(world, as_user, monkeypatch):
    monkeypatch.setattr(services.handover, "_open_case_function", lambda: None)
    report = _report(world)
    body = as_user(world.user["safety_leader"]).get(f"/intake/reports/{report.pk}/").content.decode()
    assert "转为欺凌事件" not in body
    with pytest.raises(ValidationError, match="尚未启用"):
        services.open_case(report, by=world.user["safety_leader"])
    report.refresh_from_db()
    assert report.status == "new"  # held in triage


def test_open_case_hands_over_with_linked_students(world, monkeypatch):
    calls = []

    def fake_open_case(**kwargs):
        calls.append(kwargs)
        return SimpleNamespace(pk=77)

    fake = types.ModuleType("anxin.cases.services")
    fake.open_case = fake_open_case
    monkeypatch.setitem(sys.modules, "anxin.cases.services", fake)
    import anxin.cases

    monkeypatch.setattr(anxin.cases, "services", fake, raising=False)
    report = _report(world, "他们在操场打我")
    leader = world.user["safety_leader"]
    services.link_students(report, by=leader, links=[(world.student_own, "victim")])
    case = services.open_case(report, by=leader)
    assert case.pk == 77
    kw = calls[0]
    assert kw["source"] == "anonymous_report" and kw["report"] == report and kw["school"] == world.school_a1
    assert kw["students"] == [(world.student_own, "victim")] and kw["summary"] == "他们在操场打我"
    report.refresh_from_db()
    assert report.status == "case" and report.case_id == 77
    concern = services.raise_concern(
        by=leader, school=world.school_a1, text="家长来电", source="parent_phone"
    )
    services.open_case(concern, by=leader)
    assert calls[1]["source"] == "parent" and isinstance(calls[1]["concern"], Concern)


def test_new_report_alerts_the_triagers_without_its_content(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = _report(world, "他要勒索我")
    n = Notification.objects.get(recipient=world.user["safety_leader"], kind="intake_new")
    assert "含紧急提示词" in n.title and "勒索" not in n.title + n.body
    assert n.url == f"/intake/reports/{report.pk}/"
    assert Notification.objects.filter(recipient=world.user["middle_manager"]).exists()
    assert not Notification.objects.filter(recipient=world.user["class_teacher"]).exists()


def test_plain_reports_reach_triagers_through_an_idempotent_digest(world, django_capture_on_commit_callbacks):
    leader = world.user["safety_leader"]
    with django_capture_on_commit_callbacks(execute=True):
        _report(world, "同学给我起难听的绰号")
        _report(world, "有人在班级群里骂我")
    assert not Notification.objects.filter(recipient=leader).exists()  # no word suggests urgency
    assert services.new_items_digest() == 1
    assert services.new_items_digest() == 0  # run twice: nothing sent twice
    n = Notification.objects.get(recipient=leader)
    assert "2 条" in n.title and n.url == "/intake/"
    _report(world, "又一条")
    assert services.new_items_digest() == 1
    assert Notification.objects.filter(recipient=leader).count() == 2
    assert not Notification.objects.filter(recipient=world.user_b["safety_leader"]).exists()


def test_open_case_with_the_real_cases_app_links_the_report(world, as_user):
    assert services.case_opening_available()  # the cases app ships alongside: never skipped
    report = _report(world, "课间在走廊被推倒，膝盖流血")
    services.link_students(report, by=world.user["safety_leader"], links=[(world.student_own, "victim")])
    c = as_user(world.user["safety_leader"])
    r = c.post(f"/intake/reports/{report.pk}/open-case/", {"summary": ""}, follow=True)
    assert r.status_code == 200
    report.refresh_from_db()
    assert report.status == "case" and report.case_id
    from anxin.cases.models import BullyingCase

    case = BullyingCase.objects.get(pk=report.case_id)
    assert case.report_id == report.pk and case.source == "anonymous_report"
    assert case.behaviour_types == report.behaviours
    # further triage happens in the case, not here
    with pytest.raises(ValidationError, match="已转为欺凌事件"):
        services.close(report, by=world.user["safety_leader"], kind="resolved", reason="不应在此办结")
