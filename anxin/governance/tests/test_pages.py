"""The pages: the school's self-check, documents, work plan and leading group; the bureau's board
and lessons; access by role and school; files opened again with their libraries."""

import io

import openpyxl
import pytest
from django.urls import reverse
from docx import Document

from anxin.core import clock
from anxin.core.roles import Role
from anxin.governance import services
from anxin.governance.models import Answer, DocKind, Improvement, Lesson, LessonAssignment, SelfCheck
from anxin.governance.tests.conftest import docx_upload, pdf_upload
from anxin.screening.models import Rectification


def test_safety_leader_runs_a_selfcheck_through_the_pages(world, leader, as_user):
    c = as_user(leader)
    assert c.get(reverse("governance:selfcheck_list")).status_code == 200
    r = c.post(
        reverse("governance:selfcheck_start"), {"period": "2026年春季学期", "checked_on": "2026-03-01"}
    )
    sc = SelfCheck.objects.get(school=world.school_a1)
    assert r.status_code == 302 and r["Location"] == reverse("governance:selfcheck_detail", args=[sc.pk])
    page = c.get(r["Location"]).content.decode()
    assert "平台建议" in page and "岗位责任清单未落实" in page and "条件保障" in page
    answers = list(sc.answers.all())
    data = {f"answer_{a.pk}": Answer.YES for a in answers}
    data[f"answer_{answers[0].pk}"] = Answer.NO
    data[f"note_{answers[0].pk}"] = "领导小组未正式发文"
    r = c.post(reverse("governance:selfcheck_submit", args=[sc.pk]), data)
    assert r.status_code == 302
    sc.refresh_from_db()
    assert sc.status == SelfCheck.Status.SUBMITTED and sc.gaps == 1
    assert Rectification.objects.filter(
        school=world.school_a1, problem__contains="领导小组未正式发文"
    ).exists()
    r = c.post(reverse("governance:evidence_upload", args=[answers[1].pk]), {"file": pdf_upload()})
    assert r.status_code == 302 and not answers[1].evidence.exists()  # submitted: frozen


def test_evidence_is_stored_encrypted_and_served_to_the_school_only(world, leader, as_user):
    sc = services.start_selfcheck(leader, world.school_a1, period="春季")
    a = sc.answers.first()
    c = as_user(leader)
    r = c.post(reverse("governance:evidence_upload", args=[a.pk]), {"file": pdf_upload()})
    assert r.status_code == 302
    ev = a.evidence.get()
    with ev.file.open("rb") as fh:
        assert not fh.read().startswith(b"%PDF")  # encrypted at rest
    r = c.get(reverse("governance:evidence_download", args=[ev.pk]))
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    bad = c.post(reverse("governance:evidence_upload", args=[a.pk]), {"file": io.BytesIO(b"MZ\x90\x00")})
    assert bad.status_code == 302 and a.evidence.count() == 1
    other = as_user(world.user_b[Role.SAFETY_LEADER])
    assert other.get(reverse("governance:evidence_download", args=[ev.pk])).status_code == 404
    assert other.get(reverse("governance:selfcheck_detail", args=[sc.pk])).status_code == 404
    teacher = as_user(world.user[Role.CLASS_TEACHER])
    assert teacher.get(reverse("governance:selfcheck_detail", args=[sc.pk])).status_code == 404


def test_board_for_the_bureau_with_export_and_pinned_queries(
    world, leader, bureau, as_user, django_assert_max_num_queries
):
    sc = services.start_selfcheck(leader, world.school_a1, period="春季")
    values = {a.pk: (Answer.YES, "") for a in sc.answers.all()}
    first = sc.answers.first()
    values[first.pk] = (Answer.PARTIAL, "尚未发文")
    services.save_answers(leader, sc, values)
    services.submit_selfcheck(leader, sc)
    c = as_user(bureau)
    c.get(reverse("governance:board"))
    with django_assert_max_num_queries(20):
        page = c.get(reverse("governance:board")).content.decode()
    assert "贺兰县第一中学" in page and "贺兰县习岗小学" in page and "永宁县第一中学" not in page
    assert "尚未发文" not in page or "1 个问题项" in page
    r = c.get(reverse("governance:board") + "?format=xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    rows = list(wb.active.iter_rows(values_only=True))
    a1 = next(row for row in rows if row[0] == "贺兰县第一中学")
    assert a1[2] == 1 and "（部分）" in a1[3]
    a2 = next(row for row in rows if row[0] == "贺兰县习岗小学")
    assert a2[1] == "未提交"
    # a teacher has no board
    assert as_user(world.user[Role.CLASS_TEACHER]).get(reverse("governance:board")).status_code == 403


def test_documents_versions_and_workplan_docx(world, leader, principal, as_user):
    c = as_user(leader)
    page = c.get(reverse("governance:documents")).content.decode()
    assert "本校欺凌防治工作制度" in page and "未上传" in page
    url = reverse("governance:version_create") + f"?kind={DocKind.RULES}"
    r = c.post(url, {"kind": DocKind.RULES, "title": "本校欺凌防治工作制度", "file": docx_upload()})
    assert r.status_code == 200 and "制度文件须写明审定人" in r.content.decode()
    today = clock.today().isoformat()
    r = c.post(
        url,
        {
            "kind": DocKind.RULES,
            "title": "本校欺凌防治工作制度",
            "approved_by": principal.pk,
            "approved_on": today,
            "effective_on": today,
            "file": docx_upload(),
        },
    )
    assert r.status_code == 302
    r = c.get(reverse("governance:workplan_draft"))
    plan = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in plan.paragraphs)
    assert "《本校欺凌防治工作制度》第1版" in text and principal.real_name in text
    r = c.get(reverse("governance:leading_group_docx"))
    assert "防治学生欺凌工作领导小组" in "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    assert "组长" in c.get(reverse("governance:leading_group")).content.decode()
    # the bureau reads a school's documents; a teacher does not
    bureau = as_user(world.user[Role.BUREAU_SAFETY])
    assert bureau.get(reverse("governance:documents") + f"?school={world.school_a1.pk}").status_code == 200
    assert (
        bureau.get(reverse("governance:version_create") + f"?school={world.school_a1.pk}").status_code == 403
    )
    assert as_user(world.user[Role.CLASS_TEACHER]).get(reverse("governance:documents")).status_code == 403


def test_improvement_from_a_closed_case_closed_by_a_new_version(
    world, leader, principal, closed_case, as_user
):
    c = as_user(leader)
    url = reverse("governance:improvement_create") + f"?case={closed_case.pk}"
    r = c.post(
        url,
        {
            "case": closed_case.pk,
            "document": DocKind.CONDUCT,
            "cause": "午休时段无人看管",
            "parent_communication": "已与双方家长沟通",
            "change": "增加午休巡查",
        },
    )
    imp = Improvement.objects.get()
    assert r.status_code == 302 and imp.status == Improvement.Status.OPEN
    from anxin.core import duties

    mine = [d for d in duties.duties_for(leader, clock.now()) if d.kind == "governance.improvement"]
    assert mine and mine[0].is_mine(leader) and not mine[0].is_mine(principal)
    today = clock.today()
    services.add_version(
        leader,
        world.school_a1,
        kind=DocKind.CONDUCT,
        data={"approved_by": principal, "approved_on": today, "effective_on": today},
        upload=docx_upload(),
    )
    imp.refresh_from_db()
    assert imp.status == Improvement.Status.REVISED
    assert not [d for d in duties.duties_for(leader, clock.now()) if d.kind == "governance.improvement"]
    assert as_user(world.user_b[Role.SAFETY_LEADER]).get(url).status_code == 404


def test_lesson_pages_bureau_to_teacher(world, bureau, leader, closed_case, as_user):
    c = as_user(bureau)
    r = c.post(reverse("governance:lesson_create"), {"case": closed_case.pk, "title": "课间走廊欺凌事件"})
    lesson = Lesson.objects.get()
    assert r.status_code == 302
    page = c.get(reverse("governance:lesson_edit", args=[lesson.pk])).content.decode()
    assert "学生甲" in page and "张小明" not in page and "贺兰县第一中学-" not in page
    r = c.post(
        reverse("governance:lesson_edit", args=[lesson.pk]),
        {"title": lesson.title, "summary": lesson.summary + "张小明", "lessons": "加强巡查", "publish": "1"},
    )
    assert r.status_code == 200 and "可识别身份" in r.content.decode()
    r = c.post(
        reverse("governance:lesson_edit", args=[lesson.pk]),
        {"title": lesson.title, "summary": lesson.summary, "lessons": "加强课间巡查", "publish": "1"},
    )
    lesson.refresh_from_db()
    assert r.status_code == 302 and lesson.status == Lesson.Status.PUBLISHED
    teacher = world.user[Role.CLASS_TEACHER]
    lc = as_user(leader)
    r = lc.post(
        reverse("governance:lesson_assign", args=[lesson.pk]),
        {"school": world.school_a1.pk, "staff": [teacher.pk]},
    )
    a = LessonAssignment.objects.get()
    from anxin.core import duties

    assert any(d.kind == "governance.lesson" for d in duties.duties_for(teacher, clock.now()))
    tc = as_user(teacher)
    assert "我已学习" in tc.get(reverse("governance:lesson_detail", args=[lesson.pk])).content.decode()
    tc.post(reverse("governance:lesson_study", args=[a.pk]))
    a.refresh_from_db()
    assert a.studied_at is not None
    assert not any(d.kind == "governance.lesson" for d in duties.duties_for(teacher, clock.now()))
    page = as_user(bureau).get(reverse("governance:lesson_detail", args=[lesson.pk])).content.decode()
    assert "1/1" in page and "未布置" in page  # A1 studied, A2 not assigned
    # the other county sees nothing of it
    assert (
        as_user(world.user_b[Role.CLASS_TEACHER])
        .get(reverse("governance:lesson_detail", args=[lesson.pk]))
        .status_code
        == 404
    )


def test_teacher_does_not_see_drafts(world, bureau, as_user):
    draft = services.save_lesson(bureau, world.county_a.pk, {"title": "未发布的警示标题", "summary": "经过"})
    tc = as_user(world.user[Role.CLASS_TEACHER])
    assert tc.get(reverse("governance:lesson_detail", args=[draft.pk])).status_code == 404
    assert "未发布的警示标题" not in tc.get(reverse("governance:lesson_list")).content.decode()


@pytest.mark.parametrize("name", ["governance:checklist", "governance:settings", "governance:lesson_create"])
def test_county_pages_are_the_bureaus(world, as_user, name):
    assert as_user(world.user[Role.BUREAU_SAFETY]).get(reverse(name)).status_code == 200
    assert as_user(world.user[Role.SAFETY_LEADER]).get(reverse(name)).status_code in (200, 403)
    assert as_user(world.user[Role.CLASS_TEACHER]).get(reverse(name)).status_code == 403


def test_improvement_from_a_sign_or_a_rectification_via_the_picker(world, leader, as_user):
    from anxin.screening.models import DutyLog

    s = world.school_a1
    sign = DutyLog.objects.create(
        county=s.county, school=s, logged_by=leader, summary="厕所门口多人聚集", is_sign=True
    )
    plain = DutyLog.objects.create(county=s.county, school=s, logged_by=leader, summary="正常")
    rect = Rectification.objects.create(
        county=s.county,
        school=s,
        problem="宿舍夜间巡查不到位",
        measure="增加巡查",
        owner=leader,
        due_date=clock.today(),
    )
    c = as_user(leader)
    page = c.get(reverse("governance:improvement_create")).content.decode()
    assert "厕所门口多人聚集" in page and "宿舍夜间巡查不到位" in page
    data = {"document": DocKind.RULES, "cause": "原因", "parent_communication": "已沟通", "change": "改"}
    r = c.post(reverse("governance:improvement_create") + f"?sign={sign.pk}", {**data, "sign": sign.pk})
    assert r.status_code == 302
    r = c.post(reverse("governance:improvement_create"), {**data, "rectification": rect.pk})
    assert r.status_code == 302
    r = c.post(reverse("governance:improvement_create"), {**data, "sign": plain.pk})
    assert r.status_code == 200 and "苗头" in r.content.decode()
    assert set(Improvement.objects.values_list("source", flat=True)) == {"sign", "rectification"}
