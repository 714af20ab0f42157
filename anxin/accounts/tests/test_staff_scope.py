"""A school sees the staff holding a post there now, and only their posts at that school."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.accounts.models import Membership, User
from anxin.core import clock
from anxin.core.roles import Role
from anxin.core.testing import make_user


@pytest.fixture
def former_teacher(world):
    """Taught at A1 until last month, now a counsellor at A2."""
    u = make_user("former_a1", world.county_a, Role.SUBJECT_TEACHER, world.school_a1, world.class_a1_1)
    Membership.objects.filter(user=u).update(ended_on=clock.today() - dt.timedelta(days=30))
    Membership.objects.create(
        user=u,
        role=Role.COUNSELLOR,
        county=world.county_a,
        school=world.school_a2,
        started_on=dt.date(2024, 1, 1),
    )
    return u


@pytest.fixture
def shared_teacher(world):
    """Teaches at A1 and is also counsellor at A2."""
    u = make_user("shared_a1_a2", world.county_a, Role.SUBJECT_TEACHER, world.school_a1, world.class_a1_1)
    Membership.objects.create(
        user=u,
        role=Role.COUNSELLOR,
        county=world.county_a,
        school=world.school_a2,
        started_on=dt.date(2024, 1, 1),
    )
    return u


def test_principal_does_not_see_a_teacher_whose_post_at_their_school_ended(world, as_user, former_teacher):
    principal = world.user[Role.PRINCIPAL]
    assert not User.objects.restrict(principal).filter(pk=former_teacher.pk).exists()
    c = as_user(principal)
    page = c.get("/accounts/users/")
    assert page.status_code == 200
    assert former_teacher.pk not in {u.pk for u in page.context["object_list"]}
    assert "a_class_teacher" in {u.username for u in page.context["object_list"]}
    names = {u["username"] for u in c.get("/api/v1/users/").json()["results"]}
    assert "former_a1" not in names and "a_class_teacher" in names
    assert c.get(f"/accounts/users/{former_teacher.pk}/").status_code == 404
    assert c.get(f"/api/v1/users/{former_teacher.pk}/").status_code == 404


def test_the_bureau_still_sees_the_former_teacher(world, as_user, former_teacher):
    c = as_user(world.user[Role.BUREAU_ADMIN])
    names = {u["username"] for u in c.get("/api/v1/users/").json()["results"]}
    assert "former_a1" in names


def test_ended_and_current_posts_on_one_account_do_not_combine(world, former_teacher):
    """An ended post at A1 and a current one at A2: A1's principal must not see the account
    because some post (at another school) is current."""
    a2_principal = make_user("a2_principal", world.county_a, Role.PRINCIPAL, world.school_a2)
    assert User.objects.restrict(a2_principal).filter(pk=former_teacher.pk).exists()
    assert not User.objects.restrict(world.user[Role.PRINCIPAL]).filter(pk=former_teacher.pk).exists()


def test_principal_sees_only_posts_at_their_own_school(
    world, as_user, shared_teacher, django_assert_max_num_queries
):
    c = as_user(world.user[Role.PRINCIPAL])
    with django_assert_max_num_queries(12):
        rows = c.get("/api/v1/users/").json()["results"]
    row = next(u for u in rows if u["username"] == "shared_a1_a2")
    assert [(p["role"], p["school"]) for p in row["posts"]] == [(Role.SUBJECT_TEACHER, world.school_a1.pk)]

    with django_assert_max_num_queries(15):
        page = c.get("/accounts/users/")
    shown = next(u for u in page.context["object_list"] if u.pk == shared_teacher.pk)
    assert [m.school_id for m in shown.active_posts] == [world.school_a1.pk]
    assert world.school_a2.name not in shown.posts_text
    assert world.school_a1.name in shown.posts_text

    detail = c.get(f"/accounts/users/{shared_teacher.pk}/").content.decode()
    assert world.school_a1.name in detail and world.school_a2.name not in detail


def test_principal_cannot_find_staff_by_a_role_they_hold_elsewhere(world, as_user, shared_teacher):
    c = as_user(world.user[Role.PRINCIPAL])
    rows = c.get("/api/v1/users/", {"role": Role.COUNSELLOR}).json()["results"]
    assert "shared_a1_a2" not in {u["username"] for u in rows}
    bureau = as_user(world.user[Role.BUREAU_ADMIN])
    rows = bureau.get("/api/v1/users/", {"role": Role.COUNSELLOR}).json()["results"]
    assert "shared_a1_a2" in {u["username"] for u in rows}
