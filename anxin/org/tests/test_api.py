"""The org API (R-Q-3): the same scope as the pages."""

import pytest

from anxin.org import services


def ids(response):
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def test_api_schools_scoped_for_class_teacher_and_bureau(world, as_user):
    assert ids(as_user(world.user["class_teacher"]).get("/api/v1/schools/")) == {world.school_a1.pk}
    assert ids(as_user(world.user["bureau_safety"]).get("/api/v1/schools/")) == {
        world.school_a1.pk,
        world.school_a2.pk,
    }
    assert (
        as_user(world.user["class_teacher"]).get(f"/api/v1/schools/{world.school_b1.pk}/").status_code == 404
    )


def test_api_classes_scoped_to_own_class(world, as_user):
    c = as_user(world.user["class_teacher"])
    assert ids(c.get("/api/v1/classes/")) == {world.class_a1_1.pk}
    assert c.get(f"/api/v1/classes/{world.class_a1_2.pk}/").status_code == 404
    c = as_user(world.user["principal"])
    assert ids(c.get("/api/v1/classes/")) == {world.class_a1_1.pk, world.class_a1_2.pk}


def test_api_grades_and_responsibilities_scoped(world, as_user):
    services.set_responsibility(
        world.user["principal"], world.school_a1, "safety", world.user["safety_leader"]
    )
    c = as_user(world.user["bureau_safety"])
    grades = c.get("/api/v1/grades/").json()["results"]
    assert {g["school"] for g in grades} == {world.school_a1.pk, world.school_a2.pk}
    rows = c.get("/api/v1/responsibilities/", {"school": world.school_a1.pk}).json()["results"]
    assert [(r["duty"], r["person"]) for r in rows] == [("safety", world.user["safety_leader"].pk)]
    assert as_user(world.user_b["safety_leader"]).get("/api/v1/responsibilities/").json()["results"] == []


def test_api_safety_officers_for_class_teacher_only_own_class(world, as_user):
    services.appoint_safety_officer(world.user["principal"], world.class_a1_1, world.student_own)
    services.appoint_safety_officer(world.user["principal"], world.class_a1_2, world.student_other_class)
    rows = as_user(world.user["class_teacher"]).get("/api/v1/safety-officers/").json()["results"]
    assert [r["student"] for r in rows] == [world.student_own.pk]
    assert as_user(world.user["bureau_safety"]).get("/api/v1/safety-officers/").status_code == 403


@pytest.mark.parametrize("path", ["schools", "grades", "classes", "responsibilities", "safety-officers"])
def test_api_requires_login(world, client, path):
    assert client.get(f"/api/v1/{path}/").status_code in (401, 403)


def test_api_schema_includes_org_endpoints(world, as_user):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path in ("schools", "grades", "classes", "responsibilities", "safety-officers"):
        assert f"/api/v1/{path}/" in schema["paths"]
