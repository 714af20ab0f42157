"""Idle timeout 30 minutes, absolute session limit 12 hours, forced password change (LAW 21)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from anxin.accounts import services
from anxin.accounts.tests.helpers import logged_in_as, post_login
from anxin.core.roles import Role

PAGE = "/accounts/token/"  # any page behind the login


@pytest.fixture
def travel():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def test_idle_session_expires_after_30_minutes(client, world, travel):
    post_login(client, world.user[Role.CLASS_TEACHER].username)
    assert client.get(PAGE).status_code == 200
    travel.shift(timedelta(minutes=29))
    assert client.get(PAGE).status_code == 200  # activity renews the idle timer
    travel.shift(timedelta(minutes=31))
    r = client.get(PAGE)
    assert r.status_code == 302
    assert r["Location"].startswith("/accounts/login/")


def _expiry(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.cookies["sessionid"].value).expire_date


def test_session_row_is_written_at_most_once_a_minute(client, world, travel):
    post_login(client, world.user[Role.CLASS_TEACHER].username)
    assert client.get(PAGE).status_code == 200
    stamped = _expiry(client)
    travel.shift(timedelta(seconds=50))
    assert client.get(PAGE).status_code == 200
    assert client.get("/api/v1/cases/").status_code == 200
    assert _expiry(client) == stamped  # no write within the minute
    travel.shift(timedelta(seconds=15))
    assert client.get("/api/v1/cases/").status_code == 200  # the API renews the timer too
    assert _expiry(client) == stamped + timedelta(seconds=65)


def test_idle_timer_runs_from_the_last_stamp(client, world, travel):
    """Requests within the minute after a stamp do not move the idle limit: at most a
    minute earlier than 30 minutes after the last request, never later."""
    post_login(client, world.user[Role.CLASS_TEACHER].username)
    assert client.get(PAGE).status_code == 200
    travel.shift(timedelta(seconds=50))
    assert client.get(PAGE).status_code == 200
    travel.shift(timedelta(minutes=29, seconds=11))  # 30 min 1 s after the stamp
    assert client.get(PAGE).status_code == 302


def test_absolute_limit_of_12_hours_holds_even_with_activity(client, world, travel):
    post_login(client, world.user[Role.CLASS_TEACHER].username)
    for _ in range(36):  # a request every 20 minutes: never idle, up to exactly 12 hours
        travel.shift(timedelta(minutes=20))
        assert client.get(PAGE).status_code == 200
    travel.shift(timedelta(minutes=20))
    r = client.get(PAGE)
    assert r.status_code == 302
    assert r["Location"].startswith("/accounts/login/")
    assert logged_in_as(client) is None
    assert "登录已超过12小时" in client.get(r["Location"]).content.decode()


def test_initial_password_must_be_changed_before_anything_else(client, world):
    admin = world.user[Role.BUREAU_ADMIN]
    user, initial = services.create_user(admin, "new_teacher", "新老师", "", world.county_a)
    assert user.must_change_password
    assert post_login(client, "new_teacher", initial).status_code == 302
    r = client.get(PAGE)
    assert r.status_code == 302
    assert r["Location"] == "/accounts/password/"
    assert "首次登录" in client.get("/accounts/password/").content.decode()
    r = client.post(
        "/accounts/password/",
        {"old_password": initial, "new_password1": "Tq7#mRz2Lp9", "new_password2": "Tq7#mRz2Lp9"},
    )
    assert r.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get(PAGE).status_code == 200


def test_password_change_refuses_a_weak_new_password(client, world):
    admin = world.user[Role.BUREAU_ADMIN]
    _user, initial = services.create_user(admin, "weak_teacher", "弱密码", "", world.county_a)
    post_login(client, "weak_teacher", initial)
    r = client.post(
        "/accounts/password/",
        {"old_password": initial, "new_password1": "woaini1314", "new_password2": "woaini1314"},
    )
    assert r.status_code == 200
    assert "密码过于常见" in r.content.decode() or "至少" in r.content.decode()
    assert client.get(PAGE)["Location"] == "/accounts/password/"


def test_password_older_than_90_days_forces_a_change(client, world, travel):
    teacher = world.user[Role.CLASS_TEACHER]
    post_login(client, teacher.username)
    assert client.get(PAGE).status_code == 200
    teacher.password_changed_at = timezone.now() - timedelta(days=91)
    teacher.save(update_fields=["password_changed_at"])
    r = client.get(PAGE)
    assert r.status_code == 302
    assert r["Location"] == "/accounts/password/"


def test_password_89_days_old_is_still_accepted(client, world):
    teacher = world.user[Role.CLASS_TEACHER]
    teacher.password_changed_at = timezone.now() - timedelta(days=89)
    teacher.save(update_fields=["password_changed_at"])
    post_login(client, teacher.username)
    assert client.get(PAGE).status_code == 200


def test_reset_password_forces_a_change_and_ends_old_password(client, world):
    teacher = world.user[Role.CLASS_TEACHER]
    new = services.reset_password(world.user[Role.BUREAU_ADMIN], teacher)
    assert post_login(client, teacher.username).status_code == 200  # the old one fails
    assert post_login(client, teacher.username, new).status_code == 302
    assert client.get(PAGE)["Location"] == "/accounts/password/"


def test_each_request_reads_the_user_posts_and_grants_afresh(world, as_user):
    """The signed-in user, their posts and their grants are read on every request through
    statements compiled once per process (core.sqlcache): the statements are kept, never the
    rows. A post ended, a grant approved or an account switched off between two requests is
    seen by the second."""
    import datetime as dt

    from anxin.accounts.models import AccessGrant
    from anxin.core import sqlcache

    teacher = world.user[Role.CLASS_TEACHER]
    c = as_user(teacher)
    assert c.get("/roster/students/").status_code == 200
    kept = {key[2] for key in sqlcache._CACHE}
    assert {"policy.memberships", "policy.grants", "accounts.signed_in_user"} <= kept
    outsider = world.student_other_school
    assert c.get(f"/roster/students/{outsider.pk}/").status_code == 404
    AccessGrant.objects.create(
        grantee=teacher,
        county=outsider.county,
        school=outsider.school,
        reason="跨校调查",
        starts_at=timezone.now() - timedelta(minutes=1),
        expires_at=timezone.now() + timedelta(hours=1),
        status=AccessGrant.Status.APPROVED,
    )
    assert c.get(f"/roster/students/{outsider.pk}/").status_code == 200
    teacher.memberships.update(ended_on=timezone.localdate() - dt.timedelta(days=1))
    assert c.get("/roster/students/").status_code == 403
    type(teacher).objects.filter(pk=teacher.pk).update(is_active=False)
    assert c.get("/roster/students/").status_code == 302  # signed out


@pytest.mark.parametrize("user_id", ["99999999999999999999999", "-1"])
def test_a_session_naming_no_possible_user_is_signed_out(world, as_user, user_id):
    c = as_user(world.user[Role.CLASS_TEACHER])
    session = c.session
    session["_auth_user_id"] = user_id
    session.save()
    assert c.get("/roster/students/").status_code == 302
