import datetime as dt

import pytest

from anxin.core import clock
from anxin.core.roles import Role
from anxin.oversight.models import Action, Observation
from anxin.oversight.tests.conftest import make_case, shift_for

pytestmark = pytest.mark.django_db


def test_posts_and_observations(world, leader, teacher, post, as_user):
    shift_for(post, leader, teacher)
    c = as_user(teacher)
    rows = c.get("/api/v1/supervision-posts/").json()
    rows = rows.get("results", rows)
    assert rows[0]["name"] == "东楼梯监督岗" and rows[0]["no_camera"] is True and rows[0]["gaps"] == []
    r = c.post(
        "/api/v1/post-observations/",
        {"post": post.pk, "summary": "有学生推搡", "flagged": True},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["concern_id"]
    r = c.post(
        "/api/v1/post-observations/", {"post": post.pk, "summary": " "}, content_type="application/json"
    )
    assert r.status_code == 400
    # a teacher of another county: the post is not found
    other = as_user(world.user_b[Role.CLASS_TEACHER])
    r = other.post(
        "/api/v1/post-observations/", {"post": post.pk, "summary": "x"}, content_type="application/json"
    )
    assert r.status_code == 404 and Observation.objects.count() == 1
    lead = as_user(leader).get("/api/v1/post-observations/").json()
    assert len(lead.get("results", lead)) == 1


def test_accountability_list_and_actions(world, as_user):
    by = world.user[Role.MIDDLE_MANAGER]
    for _i in range(2):
        make_case(world.school_a1, by, klass_students=[world.student_own])
    b = as_user(world.user[Role.BUREAU_SAFETY])
    rows = b.get("/api/v1/accountability-list/").json()
    assert [r["target"] for r in rows] == ["初一1班"] and len(rows[0]["case_list"]) == 2
    body = {
        "school": world.school_a1.pk,
        "kind": "interview",
        "level": "class",
        "klass": world.class_a1_1.pk,
        "reason": "一学期内认定欺凌事件 2 起",
        "interviewees": "班主任",
        "interviewers": "安全股",
        "agreed": "加强巡查",
        "owner": world.user[Role.CLASS_TEACHER].pk,
        "follow_up_due": (clock.today() + dt.timedelta(days=7)).isoformat(),
    }
    r = b.post("/api/v1/accountability-actions/", body, content_type="application/json")
    assert r.status_code == 201, r.content
    a = Action.objects.get()
    r = b.post("/api/v1/accountability-actions/", body | {"agreed": ""}, content_type="application/json")
    assert r.status_code == 400
    r = b.post(
        f"/api/v1/accountability-actions/{a.pk}/complete/",
        {"done_note": "已整改"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["done_on"]
    assert (
        as_user(world.user_b[Role.BUREAU_SAFETY]).get(f"/api/v1/accountability-actions/{a.pk}/").status_code
        == 404
    )
    assert as_user(world.user[Role.CLASS_TEACHER]).get("/api/v1/accountability-list/").status_code == 403
    r = as_user(world.user[Role.PRINCIPAL]).post(
        "/api/v1/accountability-actions/",
        body | {"school": world.school_a2.pk},
        content_type="application/json",
    )
    assert r.status_code == 404
