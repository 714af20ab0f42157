"""The accounts API reads through the same policy as the pages; no password ever leaves."""

from __future__ import annotations

import json

from anxin.accounts import services
from anxin.core.roles import Role
from anxin.core.testing import make_user


def test_users_api_is_scoped_and_has_no_password_fields(world, as_user, django_assert_max_num_queries):
    make_user("a2_teacher", world.county_a, Role.COUNSELLOR, world.school_a2)
    c = as_user(world.user[Role.PRINCIPAL])
    with django_assert_max_num_queries(12):
        r = c.get("/api/v1/users/")
    assert r.status_code == 200
    rows = r.json()["results"]
    names = {u["username"] for u in rows}
    assert "a_class_teacher" in names
    assert "a2_teacher" not in names and "b_class_teacher" not in names
    assert all("password" not in u for u in rows)
    teacher = next(u for u in rows if u["username"] == "a_class_teacher")
    assert teacher["posts"][0]["role"] == Role.CLASS_TEACHER


def test_users_api_uses_the_page_filter(world, as_user):
    c = as_user(world.user[Role.BUREAU_ADMIN])
    rows = c.get("/api/v1/users/", {"role": Role.AUDITOR}).json()["results"]
    assert [u["username"] for u in rows] == ["a_auditor"]


def test_users_api_refuses_roles_without_the_right_and_writes(world, as_user):
    assert as_user(world.user[Role.CLASS_TEACHER]).get("/api/v1/users/").status_code == 403
    c = as_user(world.user[Role.BUREAU_ADMIN])
    assert c.post("/api/v1/users/", {"username": "x"}).status_code in (403, 405)


def test_memberships_api_is_scoped(world, as_user):
    make_user("a2_teacher", world.county_a, Role.COUNSELLOR, world.school_a2)
    rows = as_user(world.user[Role.SAFETY_LEADER]).get("/api/v1/memberships/").json()["results"]
    assert rows
    assert {m["school"] for m in rows} == {world.school_a1.pk}


def test_access_grants_api_for_the_auditor_of_the_county(world, as_user):
    grant = services.request_grant(
        world.user[Role.COUNSELLOR], world.school_a2, "协助习岗小学开展心理辅导工作", 5
    )
    rows = as_user(world.user[Role.AUDITOR]).get("/api/v1/access-grants/").json()["results"]
    assert [g["id"] for g in rows] == [grant.pk]
    assert as_user(world.user_b[Role.AUDITOR]).get("/api/v1/access-grants/").json()["results"] == []
    assert as_user(world.user[Role.COUNSELLOR]).get("/api/v1/access-grants/").status_code == 403


def test_openapi_schema_generates_for_the_accounts_endpoints(world, as_user):
    r = as_user(world.user[Role.BUREAU_ADMIN]).get("/api/v1/openapi.json", {"format": "json"})
    assert r.status_code == 200
    paths = json.loads(r.content)["paths"]
    assert "/api/v1/users/" in paths and "/api/v1/access-grants/" in paths


def test_memberships_api_finds_the_county_level_posts_with_school_null(world, as_user):
    """``school=null``: the posts held for no school (the bureau's); ``klass=null`` likewise."""
    c = as_user(world.user[Role.BUREAU_ADMIN])  # (系统管理员: accounts.user.view over the county)
    county = c.get("/api/v1/memberships/?school=null")
    assert county.status_code == 200, county.content
    rows = county.json()["results"]
    assert rows and all(m["school"] is None for m in rows)
    school = c.get(f"/api/v1/memberships/?school={world.school_a1.pk}").json()["results"]
    assert school and all(m["school"] == world.school_a1.pk for m in school)
    no_class = c.get("/api/v1/memberships/?klass=null")
    assert no_class.status_code == 200
    assert all(m["klass"] is None for m in no_class.json()["results"])
