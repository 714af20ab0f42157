"""Screening rounds (R-SCR-1): who opens them, the class page (one form per student, htmx
partial save, plain POST without JS), coverage, and completion only at 100% or with a
reason for each missing student."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from anxin.core import clock
from anxin.core.models import AuditEvent
from anxin.screening import services
from anxin.screening.models import CountyRound, ScreeningRecord, ScreeningRound
from anxin.screening.tests.helpers import fill_class, open_round, record


def url(rnd, klass):
    return f"/screening/rounds/{rnd.pk}/class/{klass.pk}/"


@pytest.mark.parametrize("role", ["safety_leader", "middle_manager"])
def test_school_leaders_open_a_round(world, as_user, role):
    c = as_user(world.user[role])
    deadline = clock.today() + dt.timedelta(days=10)
    r = c.post("/screening/rounds/new/", {"title": "春季排查", "deadline": deadline.isoformat()})
    assert r.status_code == 302
    rnd = ScreeningRound.objects.get()
    assert (rnd.school, rnd.deadline, rnd.status) == (world.school_a1, deadline, "open")


@pytest.mark.parametrize(
    "role", ["class_teacher", "principal", "counsellor", "security_staff", "bureau_safety"]
)
def test_others_cannot_open_a_school_round(world, as_user, role):
    r = as_user(world.user[role]).post("/screening/rounds/new/", {"title": "x", "deadline": "2099-01-01"})
    assert r.status_code in (403, 404)
    assert not ScreeningRound.objects.exists()


def test_deadline_cannot_be_in_the_past(world, as_user):
    r = as_user(world.user["safety_leader"]).post(
        "/screening/rounds/new/", {"title": "x", "deadline": "2001-01-01"}
    )
    assert r.status_code == 200
    assert "截止日期不能早于开始日期" in r.content.decode()


def test_bureau_opens_a_round_for_every_school_of_its_county(world, as_user):
    r = as_user(world.user["bureau_safety"]).post(
        "/screening/rounds/county/new/", {"title": "全县排查", "deadline": "2099-06-30"}
    )
    assert r.status_code == 302
    cr = CountyRound.objects.get()
    assert set(cr.rounds.values_list("school_id", flat=True)) == {world.school_a1.pk, world.school_a2.pk}
    page = as_user(world.user["bureau_safety"]).get(f"/screening/rounds/county/{cr.pk}/").content.decode()
    assert world.school_a1.name in page and world.student_own.name not in page


def test_school_leader_cannot_open_a_county_round(world, as_user):
    r = as_user(world.user["safety_leader"]).post(
        "/screening/rounds/county/new/", {"title": "x", "deadline": "2099-06-30"}
    )
    assert r.status_code == 403


def test_class_teacher_saves_a_row_without_js(world, as_user):
    rnd = open_round(world)
    c = as_user(world.user["class_teacher"])
    r = c.post(
        url(rnd, world.class_a1_1),
        {
            "student": world.student_own.pk,
            "psych": "concern",
            "mood": "low",
            "peers": "tense",
            "family_contacted": "1",
        },
    )
    assert r.status_code == 302 and r["Location"].endswith(f"#s-{world.student_own.pk}")
    rec = ScreeningRecord.objects.get(round=rnd, student=world.student_own)
    assert (rec.psych, rec.mood, rec.peers, rec.family_contacted, rec.signs_seen) == (
        "concern",
        "low",
        "tense",
        True,
        False,
    )
    assert rec.recorded_by == world.user["class_teacher"]


def test_htmx_save_returns_the_row_and_the_progress(world, as_user):
    rnd = open_round(world)
    c = as_user(world.user["class_teacher"])
    r = c.post(
        url(rnd, world.class_a1_1),
        {"student": world.student_own.pk, "psych": "good", "mood": "stable", "peers": "harmonious"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    body = r.content.decode()
    # the row's status goes to its status area; errors and the class progress out of band
    assert body.lstrip().startswith('<span class="badge ok">已保存</span>')
    assert f'id="err-{world.student_own.pk}"' in body and 'id="class-progress"' in body
    assert body.count('hx-swap-oob="true"') == 2 and "<html" not in body and "<select" not in body


def test_signs_seen_needs_a_note_and_the_error_is_in_chinese(world, as_user):
    rnd = open_round(world)
    r = as_user(world.user["class_teacher"]).post(
        url(rnd, world.class_a1_1),
        {
            "student": world.student_own.pk,
            "psych": "good",
            "mood": "stable",
            "peers": "harmonious",
            "signs_seen": "1",
        },
        HTTP_HX_REQUEST="true",
    )
    body = r.content.decode()
    assert "发现苗头迹象时，请简要说明情况" in body and "未保存" in body
    assert not ScreeningRecord.objects.exists()


def test_missing_choice_is_refused_without_js_with_the_page_rerendered(world, as_user):
    rnd = open_round(world)
    r = as_user(world.user["class_teacher"]).post(
        url(rnd, world.class_a1_1), {"student": world.student_own.pk}
    )
    assert r.status_code == 200
    assert "请选择心理状况" in r.content.decode()


def test_class_teacher_cannot_see_other_class(world, as_user):
    rnd = open_round(world)
    c = as_user(world.user["class_teacher"])
    assert c.get(url(rnd, world.class_a1_2)).status_code == 404
    r = c.post(
        url(rnd, world.class_a1_2),
        {"student": world.student_other_class.pk, "psych": "good", "mood": "stable", "peers": "harmonious"},
    )
    assert r.status_code == 404
    assert not ScreeningRecord.objects.exists()
    assert AuditEvent.objects.filter(action="denied", object_type="screening.screeningrecord").exists()


def test_service_refuses_a_student_of_another_class_for_a_class_teacher(world):
    rnd = open_round(world)
    with pytest.raises(PermissionDenied):
        record(world, rnd, world.student_other_class)


def test_class_page_shows_only_that_class_and_audits_the_read(world, as_user):
    rnd = open_round(world)
    body = as_user(world.user["class_teacher"]).get(url(rnd, world.class_a1_1)).content.decode()
    assert world.student_own.name in body and world.student_other_class.name not in body
    assert "hx-post=" in body and 'name="student"' in body
    assert AuditEvent.objects.filter(action="read", object_type="screening.screeninground").exists()


@pytest.mark.parametrize("role", ["bureau_safety", "supervisor", "subject_teacher", "security_staff"])
def test_roles_without_student_screening_rights_cannot_open_class_pages(world, as_user, role):
    rnd = open_round(world)
    assert as_user(world.user[role]).get(url(rnd, world.class_a1_1)).status_code in (403, 404)


def test_class_screening_page_for_50_students_has_bounded_queries(
    world, as_user, django_assert_max_num_queries
):
    fill_class(world.class_a1_1, 49)
    rnd = open_round(world)
    for st in list(world.class_a1_1.students.all())[:20]:
        record(world, rnd, st)
    c = as_user(world.user["class_teacher"])
    c.get(url(rnd, world.class_a1_1))  # warm the session
    with django_assert_max_num_queries(20):
        r = c.get(url(rnd, world.class_a1_1))
    assert r.status_code == 200
    assert r.content.decode().count('name="student"') == 50


def test_coverage_counts_screened_excused_and_missing(world, as_user):
    fill_class(world.class_a1_1, 3)
    rnd = open_round(world)
    record(world, rnd, world.student_own)
    services.save_record(
        by=world.user["class_teacher"],
        round=rnd,
        student=world.class_a1_1.students.exclude(pk=world.student_own.pk).first(),
        data={"missing_reason": "长期病假"},
    )
    cov = services.coverage(rnd)
    row = next(c for c in cov["classes"] if c["klass"] == world.class_a1_1)
    assert (row["total"], row["screened"], row["excused"], row["missing"], row["pct"]) == (4, 1, 1, 2, 50)
    assert cov["summary"]["total"] == 5  # plus the other class's one student


def test_round_completes_only_when_every_student_is_covered(world, as_user):
    rnd = open_round(world)
    record(world, rnd, world.student_own)
    c = as_user(world.user["safety_leader"])
    r = c.post(f"/screening/rounds/{rnd.pk}/complete/", follow=True)
    assert "还有 1 名学生既未排查、也未填写未能排查原因" in r.content.decode()
    rnd.refresh_from_db()
    assert rnd.status == "open"
    services.save_record(
        by=world.user["safety_leader"],
        round=rnd,
        student=world.student_other_class,
        data={"missing_reason": "转学手续办理中"},
    )
    c.post(f"/screening/rounds/{rnd.pk}/complete/")
    rnd.refresh_from_db()
    assert rnd.status == "completed" and rnd.completed_by == world.user["safety_leader"]


def test_completed_round_cannot_be_edited(world):
    rnd = open_round(world)
    for st in (world.student_own, world.student_other_class):
        record(world, rnd, st, by=world.user["safety_leader"])
    services.complete_round(by=world.user["safety_leader"], round=rnd)
    with pytest.raises(ValidationError):
        record(world, rnd, world.student_own)


def test_class_teacher_cannot_complete_a_round(world, as_user):
    rnd = open_round(world)
    r = as_user(world.user["class_teacher"]).post(f"/screening/rounds/{rnd.pk}/complete/")
    assert r.status_code == 403


def test_one_record_per_student_per_round(world):
    rnd = open_round(world)
    record(world, rnd, world.student_own, mood="low")
    record(world, rnd, world.student_own, mood="stable")
    assert ScreeningRecord.objects.filter(round=rnd, student=world.student_own).get().mood == "stable"


def test_coverage_export_is_an_xlsx_with_counts(world, as_user):
    rnd = open_round(world)
    record(world, rnd, world.student_own)
    r = as_user(world.user["safety_leader"]).get(f"/screening/rounds/{rnd.pk}/?format=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(action="export", object_type="screening.screeninground").exists()
