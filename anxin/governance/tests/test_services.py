import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from docx import Document

from anxin.core import clock, filecrypt
from anxin.core.models import keys_of
from anxin.core.roles import Role
from anxin.governance import checklist, services
from anxin.governance.documents import leading_group_docx, workplan_docx
from anxin.governance.documents_state import rules_states
from anxin.governance.leading import group_of
from anxin.governance.models import (
    Answer,
    ChecklistItem,
    DocKind,
    Improvement,
    Lesson,
    Probe,
    SelfCheck,
)
from anxin.governance.tests.conftest import docx_upload, pdf_upload
from anxin.screening.models import Rectification


def test_default_checklist_covers_the_seven_dimensions_once_per_county(world):
    items = checklist.items_for(world.county_a.pk)
    assert {i.dimension for i in items} == {
        "mechanism",
        "measures",
        "team",
        "duty",
        "publicity",
        "discipline",
        "conditions",
    }
    checklist.ensure_checklist(world.county_a.pk)
    assert ChecklistItem.objects.filter(county=world.county_a).count() == len(checklist.DEFAULT_CHECKLIST)


def test_selfcheck_proposes_from_data_and_gaps_open_rectifications(world, leader):
    sc = services.start_selfcheck(leader, world.school_a1, period="2026年春季学期")
    answers = {a.item.probe: a for a in sc.answers.select_related("item") if a.item.probe}
    duty = answers[Probe.RESPONSIBILITY]
    # the world's school has no responsibility matrix: every duty is missing
    assert duty.proposed == Answer.NO and "岗位责任清单未落实" in duty.proposed_reason
    assert (
        answers[Probe.CAMERAS].proposed == "" and "尚未登记隐患点" in answers[Probe.CAMERAS].proposed_reason
    )
    assert answers[Probe.RULES].proposed == Answer.NO
    with pytest.raises(ValidationError):
        services.submit_selfcheck(leader, sc)  # nothing answered yet
    values = {a.pk: (Answer.YES, "") for a in sc.answers.all()}
    values[duty.pk] = (Answer.NO, "岗位责任清单尚未建立")
    cam = answers[Probe.CAMERAS]
    values[cam.pk] = (Answer.PARTIAL, "")
    services.save_answers(leader, sc, values)
    with pytest.raises(ValidationError, match="须说明存在的问题"):
        services.submit_selfcheck(leader, sc)
    values[cam.pk] = (Answer.PARTIAL, "操场东侧无监控")
    services.save_answers(leader, sc, values)
    services.add_evidence(leader, cam, pdf_upload())
    sc = services.submit_selfcheck(leader, sc)
    assert sc.status == SelfCheck.Status.SUBMITTED and sc.gaps == 2 and sc.submitted_by == leader
    rects = Rectification.objects.filter(school=world.school_a1, source=Rectification.Source.SELF)
    assert rects.count() == 2
    assert any("操场东侧无监控" in r.problem for r in rects)
    duty.refresh_from_db()
    assert duty.rectification is not None and duty.rectification.owner == leader
    with pytest.raises(ValidationError):
        services.save_answers(leader, sc, values)  # submitted: frozen


def test_camera_and_post_proposals(world, leader):
    from anxin.screening.models import Camera, HazardPoint

    s = world.school_a1
    h1 = HazardPoint.objects.create(county=s.county, school=s, name="操场东侧", kind="playground")
    HazardPoint.objects.create(county=s.county, school=s, name="厕所", kind="toilet")
    cam = Camera.objects.create(county=s.county, school=s, name="1号")
    cam.covers.add(h1, through_defaults=keys_of(cam))
    p = checklist.proposals([s])[s.pk]
    assert p[Probe.CAMERAS].answer == Answer.PARTIAL and "2个隐患点中1个" in p[Probe.CAMERAS].reason
    # A1 has every role but class 1-2 has no class teacher
    assert p[Probe.POSTS].answer == Answer.PARTIAL and "1个班级无班主任" in p[Probe.POSTS].reason


def test_only_the_school_runs_its_selfcheck(world):
    with pytest.raises(PermissionDenied):
        services.start_selfcheck(world.user[Role.CLASS_TEACHER], world.school_a1, period="x")
    with pytest.raises(PermissionDenied):
        services.start_selfcheck(world.user[Role.SAFETY_LEADER], world.school_a2, period="x")


def test_rules_versions_approval_age_and_improvement_closing(world, leader, principal, closed_case):
    s = world.school_a1
    with pytest.raises(ValidationError) as e:
        services.add_version(leader, s, kind=DocKind.RULES, data={}, upload=docx_upload())
    assert {"approved_by", "approved_on", "effective_on"} <= set(e.value.message_dict)
    with pytest.raises(ValidationError):  # approver not on the school's staff
        services.add_version(
            leader,
            s,
            kind=DocKind.RULES,
            data={
                "approved_by": world.user_b[Role.SAFETY_LEADER],
                "approved_on": clock.today(),
                "effective_on": clock.today(),
            },
            upload=docx_upload(),
        )
    imp = services.raise_improvement(
        leader,
        source=Improvement.Source.CASE,
        obj=closed_case,
        document=DocKind.RULES,
        cause="课间走廊无人巡查",
        parent_communication="已与双方家长面谈，家长同意配合",
        change="增加课间走廊巡查制度",
    )
    old = clock.today() - dt.timedelta(days=500)
    v1 = services.add_version(
        leader,
        s,
        kind=DocKind.RULES,
        data={"approved_by": principal, "approved_on": old, "effective_on": old},
        upload=docx_upload(),
    )
    assert v1.number == 1
    assert b"\xe6\x9c\xac" in filecrypt.read_plain(v1.file) or filecrypt.read_plain(v1.file).startswith(b"PK")
    imp.refresh_from_db()
    assert imp.status == Improvement.Status.REVISED and imp.version == v1
    st = rules_states([s])[s.pk]
    assert st.old == [DocKind.RULES] and st.missing == [DocKind.CONDUCT] and not st.rules_current
    services.update_setting(world.user[Role.BUREAU_SAFETY], s.county_id, 24)
    st = rules_states([s])[s.pk]
    assert st.old == [] and st.missing == [DocKind.CONDUCT]


def test_improvement_needs_cause_and_parents_and_closes_by_decision(world, leader, closed_case):
    with pytest.raises(ValidationError) as e:
        services.raise_improvement(
            leader,
            source="case",
            obj=closed_case,
            document=DocKind.CONDUCT,
            cause="",
            parent_communication="",
            change="",
        )
    assert {"cause", "parent_communication", "change"} <= set(e.value.message_dict)
    imp = services.raise_improvement(
        leader,
        source="case",
        obj=closed_case,
        document=DocKind.CONDUCT,
        cause="原因",
        parent_communication="已沟通",
        change="细化惩戒",
    )
    with pytest.raises(ValidationError):
        services.keep_document(leader, imp, decision="不改")
    imp = services.keep_document(leader, imp, decision="现行细则已覆盖该情形，经领导小组研究不作修订")
    assert imp.status == Improvement.Status.KEPT and imp.closed_by == leader


def test_leading_group_and_docx(world):
    g = group_of(world.school_a1)
    assert g.formed and [s.user_id for s in g.chair] == [world.user[Role.PRINCIPAL].pk]
    assert not group_of(world.school_a2).formed
    doc = Document(__import__("io").BytesIO(leading_group_docx(world.school_a1)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "防治学生欺凌工作领导小组" in text and world.user[Role.PRINCIPAL].real_name in text
    plan = Document(__import__("io").BytesIO(workplan_docx(world.school_a1)))
    text = "\n".join(p.text for p in plan.paragraphs)
    assert "工作方案" in text and "尚未制定" in text and "组织领导" in text
    assert "按照县教育体育局专项治理行动的阶段安排" in text  # no campaign yet: the general wording


def test_workplan_draft_follows_the_bureaus_campaign(world):
    from anxin.campaigns import services as campaign_services

    start = clock.today() - dt.timedelta(days=5)
    c = campaign_services.create_from_template(
        by=world.user[Role.BUREAU_SAFETY], county=world.county_a, template_key="seed2024", start=start
    )
    plan = Document(__import__("io").BytesIO(workplan_docx(world.school_a1)))
    text = "\n".join(p.text for p in plan.paragraphs)
    assert f"《{c.title}》" in text
    for phase in c.phases.all():
        assert f"{phase.name}（{phase.starts_on:%Y年%-m月%-d日}至{phase.deadline:%Y年%-m月%-d日}）" in text
    first = c.tasks.filter(phase__order=1).order_by("order", "id").first()
    assert f"1. {first.title}。" in text
    # another county's school gets no word of it
    other = Document(__import__("io").BytesIO(workplan_docx(world.school_b1)))
    assert c.title not in "\n".join(p.text for p in other.paragraphs)


def test_lesson_from_case_publish_assign_study(world, bureau, leader, closed_case):
    from anxin.governance.deid import draft_from_case

    draft, _t = draft_from_case(closed_case)
    lesson = services.save_lesson(
        bureau,
        world.county_a.pk,
        {
            "case": closed_case,
            "title": "走廊欺凌事件",
            "summary": draft + "张小明受伤。",
            "lessons": "加强课间巡查",
        },
    )
    with pytest.raises(ValidationError, match="张小明"):
        services.publish_lesson(bureau, lesson)
    lesson = services.save_lesson(bureau, world.county_a.pk, {"summary": draft}, lesson)
    lesson = services.publish_lesson(bureau, lesson)
    assert lesson.status == Lesson.Status.PUBLISHED
    teacher = world.user[Role.CLASS_TEACHER]
    with pytest.raises(ValidationError):
        services.assign_lesson(leader, lesson, world.school_a1, [world.user_b[Role.CLASS_TEACHER]])
    (a,) = services.assign_lesson(leader, lesson, world.school_a1, [teacher])
    assert services.assign_lesson(leader, lesson, world.school_a1, [teacher]) == []  # once each
    with pytest.raises(PermissionDenied):
        services.mark_studied(leader, a)  # someone else's
    a = services.mark_studied(teacher, a)
    assert a.studied_at is not None
    with pytest.raises(PermissionDenied):
        services.save_lesson(leader, world.county_a.pk, {"title": "x", "summary": "y", "lessons": "z"})
