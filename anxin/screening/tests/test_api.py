"""The API applies the same policy and services as the pages (R-Q-3)."""

import datetime as dt

import pytest

from anxin.core import clock
from anxin.screening import services
from anxin.screening.models import HazardPoint, ScreeningRecord
from anxin.screening.tests.helpers import open_round, record


def test_class_teacher_records_screening_through_the_api(world, as_user):
    rnd = open_round(world)
    c = as_user(world.user["class_teacher"])
    r = c.post(
        "/api/v1/screening/records/",
        {
            "round": rnd.pk,
            "student": world.student_own.pk,
            "psych": "good",
            "mood": "stable",
            "peers": "harmonious",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["student_name"] == world.student_own.name
    r = c.post(
        "/api/v1/screening/records/",
        {
            "round": rnd.pk,
            "student": world.student_other_class.pk,
            "psych": "good",
            "mood": "stable",
            "peers": "harmonious",
        },
        content_type="application/json",
    )
    assert r.status_code == 400  # the other class's student is not even resolvable
    assert ScreeningRecord.objects.count() == 1


def test_api_errors_are_the_services_chinese_messages(world, as_user):
    rnd = open_round(world)
    r = as_user(world.user["class_teacher"]).post(
        "/api/v1/screening/records/",
        {"round": rnd.pk, "student": world.student_own.pk},
        content_type="application/json",
    )
    assert r.status_code == 400 and "请选择心理状况" in str(r.json())


def test_records_list_is_scoped_to_the_class(world, as_user):
    rnd = open_round(world)
    record(world, rnd, world.student_own)
    record(world, rnd, world.student_other_class, by=world.user["safety_leader"])
    assert as_user(world.user["class_teacher"]).get("/api/v1/screening/records/").json()["count"] == 1
    assert as_user(world.user["safety_leader"]).get("/api/v1/screening/records/").json()["count"] == 2
    assert as_user(world.user["bureau_safety"]).get("/api/v1/screening/records/").status_code == 403


def test_round_coverage_and_completion_through_the_api(world, as_user):
    rnd = open_round(world)
    c = as_user(world.user["safety_leader"])
    cov = c.get(f"/api/v1/screening/rounds/{rnd.pk}/coverage/").json()
    assert {row["missing"] for row in cov} == {1}
    r = c.post(f"/api/v1/screening/rounds/{rnd.pk}/complete/")
    assert r.status_code == 400 and "不能确认完成" in str(r.json())


def test_hazard_create_and_update_through_the_api(world, as_user):
    c = as_user(world.user["safety_leader"])
    r = c.post(
        "/api/v1/screening/hazards/",
        {
            "school": world.school_a1.pk,
            "name": "校门东侧",
            "kind": "gate",
            "location": "around",
            "owner": world.user["middle_manager"].pk,
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    r = c.patch(f"/api/v1/screening/hazards/{pk}/", {"status": "controlled"}, content_type="application/json")
    assert r.status_code == 200 and HazardPoint.objects.get(pk=pk).status == "controlled"
    assert (
        as_user(world.user["security_staff"])
        .patch(f"/api/v1/screening/hazards/{pk}/", {"status": "open"}, content_type="application/json")
        .status_code
        == 403
    )


def test_security_staff_logs_duty_through_the_api(world, as_user):
    r = as_user(world.user["security_staff"]).post(
        "/api/v1/screening/duty-logs/",
        {"school": world.school_a1.pk, "summary": "未发现异常"},
        content_type="application/json",
    )
    assert r.status_code == 201


@pytest.mark.parametrize("role", ["safety_leader", "counsellor", "class_teacher"])
def test_tendency_list_and_review_permissions(world, as_user, role):
    e = services.add_tendency(by=world.user["safety_leader"], student=world.student_own, grounds="打人")
    c = as_user(world.user[role])
    assert c.get("/api/v1/screening/tendency/").json()["count"] == 1
    r = c.post(
        f"/api/v1/screening/tendency/{e.pk}/review/",
        {
            "outcome": "keep",
            "note": "仍需关注",
            "next_review": (clock.today() + dt.timedelta(days=20)).isoformat(),
        },
        content_type="application/json",
    )
    assert r.status_code == (200 if role == "safety_leader" else 403)


def test_risk_history_endpoint(world, as_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.add_tendency(by=world.user["safety_leader"], student=world.student_own, grounds="打人")
    data = (
        as_user(world.user["counsellor"])
        .get(f"/api/v1/screening/risk-history/?student={world.student_own.pk}")
        .json()
    )
    assert data["count"] == 1 and data["results"][0]["level"] == "orange"
    assert data["results"][0]["reasons"][0]["code"] == "tendency_register"


def test_schema_lists_the_screening_endpoints(world, as_user):
    import json

    r = as_user(world.user["safety_leader"]).get("/api/v1/openapi.json", HTTP_ACCEPT="application/json")
    assert r.status_code == 200
    paths = json.loads(r.content)["paths"]
    assert "/api/v1/screening/records/" in paths and "/api/v1/screening/counts/" in paths


def test_class_teacher_opens_a_survey_for_own_class_only_through_the_api(world, as_user):
    c = as_user(world.user["class_teacher"])
    closes = (clock.today() + dt.timedelta(days=3)).isoformat()
    r = c.post(
        "/api/v1/screening/surveys/",
        {"klass": world.class_a1_1.pk, "closes_on": closes},
        content_type="application/json",
    )
    assert r.status_code == 201 and len(r.json()["class_code"]) == 6
    r = c.post(
        "/api/v1/screening/surveys/",
        {"klass": world.class_a1_2.pk, "closes_on": closes},
        content_type="application/json",
    )
    assert r.status_code == 400


@pytest.mark.parametrize("role", ["safety_leader", "middle_manager", "class_teacher", "counsellor"])
def test_school_posts_read_the_county_categories_and_register_a_vulnerable_student_through_the_api(
    world, as_user, role
):
    """The page offered the county's categories to school posts; the API answered an empty list,
    so POST /vulnerable/ failed with «无效主键». Both now read the same county rows."""
    cats = services.ensure_categories(world.county_a.pk)
    services.ensure_categories(world.county_b.pk)
    c = as_user(world.user[role])
    listed = c.get("/api/v1/screening/categories/?page_size=100").json()
    codes = {row["code"] for row in listed["results"]}
    assert set(cats) <= codes
    assert listed["count"] == len(cats)  # the other county's categories stay out
    r = c.post(
        "/api/v1/screening/vulnerable/",
        {"student": world.student_own.pk, "category": cats["introvert"].pk, "note": "API登记"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["category_name"] == "性格内向"


def test_categories_of_another_county_are_not_resolvable_through_the_api(world, as_user):
    services.ensure_categories(world.county_a.pk)
    other = services.ensure_categories(world.county_b.pk)
    r = as_user(world.user["safety_leader"]).post(
        "/api/v1/screening/vulnerable/",
        {"student": world.student_own.pk, "category": other["introvert"].pk},
        content_type="application/json",
    )
    assert r.status_code == 400
    assert as_user(world.user["subject_teacher"]).get("/api/v1/screening/categories/").status_code == 403
