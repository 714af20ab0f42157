"""The API: same rules as the pages, writes through the services."""

from anxin.core import clock
from anxin.core.roles import Role
from anxin.governance.models import Answer, DocKind, Lesson, SelfCheck
from anxin.governance.tests.conftest import docx_upload


def test_selfcheck_over_the_api(world, leader, as_user):
    c = as_user(leader)
    r = c.post(
        "/api/v1/self-checks/",
        {"school": world.school_a1.pk, "period": "春季"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    sc = r.json()
    answers = [{"id": a["id"], "answer": Answer.YES, "note": ""} for a in sc["answers"]]
    answers[0] = {"id": answers[0]["id"], "answer": Answer.NO, "note": "未发文"}
    r = c.post(
        f"/api/v1/self-checks/{sc['id']}/answers/", {"answers": answers}, content_type="application/json"
    )
    assert r.status_code == 200, r.content
    r = c.post(f"/api/v1/self-checks/{sc['id']}/submit/")
    assert r.status_code == 200 and r.json()["gaps"] == 1
    assert SelfCheck.objects.get().status == "submitted"
    # another school's leader: not found; a teacher: refused
    other = as_user(world.user_b[Role.SAFETY_LEADER])
    assert other.get(f"/api/v1/self-checks/{sc['id']}/").status_code == 404
    assert as_user(world.user[Role.CLASS_TEACHER]).get("/api/v1/self-checks/").status_code == 403


def test_board_documents_and_lessons_over_the_api(world, leader, principal, bureau, as_user):
    c = as_user(leader)
    today = clock.today().isoformat()
    r = c.post(
        "/api/v1/governance-documents/",
        {
            "school": world.school_a1.pk,
            "kind": DocKind.RULES,
            "approved_by": principal.pk,
            "approved_on": today,
            "effective_on": today,
            "file": docx_upload(),
        },
    )
    assert r.status_code == 201, r.content
    r = c.post(
        "/api/v1/governance-documents/",
        {
            "school": world.school_a1.pk,
            "kind": DocKind.RULES,
            "approved_by": world.user_b[Role.SAFETY_LEADER].pk,
            "approved_on": today,
            "effective_on": today,
            "file": docx_upload(),
        },
    )
    assert r.status_code == 400 and "approved_by" in r.json()
    b = as_user(bureau)
    rows = {row["school_name"]: row for row in b.get("/api/v1/governance-schools/").json()}
    assert (
        rows["贺兰县第一中学"]["leading_group_formed"] and "校规校纪" in rows["贺兰县第一中学"]["rules_state"]
    )
    assert "永宁县第一中学" not in rows
    r = b.post(
        "/api/v1/lessons/",
        {"title": "区外事件", "outside_text": "2025年4月3日，学生王某（身份证号640122201001011234）被打。"},
        content_type="application/json",
    )
    assert (
        r.status_code == 201
        and "640122201001011234" not in r.json()["summary"]
        and "4月上旬" in r.json()["summary"]
    )
    lid = r.json()["id"]
    assert b.post(f"/api/v1/lessons/{lid}/publish/").status_code == 400  # no lessons yet
    assert (
        b.patch(
            f"/api/v1/lessons/{lid}/", {"lessons": "及时制止"}, content_type="application/json"
        ).status_code
        == 200
    )
    assert b.post(f"/api/v1/lessons/{lid}/publish/").status_code == 200
    teacher = world.user[Role.CLASS_TEACHER]
    c = as_user(leader)  # one test client: signing in again switches the user
    r = c.post(
        f"/api/v1/lessons/{lid}/assign/",
        {"school": world.school_a1.pk, "staff": [teacher.pk]},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    t = as_user(teacher)
    (a,) = t.get("/api/v1/lesson-assignments/").json()["results"]
    assert t.post(f"/api/v1/lesson-assignments/{a['id']}/studied/").status_code == 200
    assert Lesson.objects.get().assignments.get().studied_at is not None
    # a teacher cannot write lessons, nor mark another's assignment studied
    assert as_user(world.user[Role.COUNSELLOR]).post(
        f"/api/v1/lesson-assignments/{a['id']}/studied/"
    ).status_code in (403, 404)
    t = as_user(teacher)
    assert (
        t.post(
            "/api/v1/lessons/", {"title": "x", "outside_text": "y"}, content_type="application/json"
        ).status_code
        == 403
    )
